import { FEEDBACK_LIMITS } from '@loupe/contracts/feedback';
import type { KeyValueStore } from '../storage';
import type { SurveyMemory } from './targeting';

const surveyKey = (id: string) => `loupe.fb.${id}`;
const VISIT_KEY = 'loupe.fb.visit';

/** What this browser remembers of a survey: when it was last shown, dismissed, answered. */
export function readMemory(store: KeyValueStore, surveyId: string): SurveyMemory {
  try {
    const m = JSON.parse(store.get(surveyKey(surveyId)) ?? '{}') as SurveyMemory;
    const at = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    return { shown: at(m.shown), dismissed: at(m.dismissed), answered: at(m.answered) };
  } catch {
    return {};
  }
}

export function remember(store: KeyValueStore, surveyId: string, change: SurveyMemory): void {
  store.set(surveyKey(surveyId), JSON.stringify({ ...readMemory(store, surveyId), ...change }));
}

/** The current visit as the widget sees it: its page views so far and the variants it was shown. */
export interface Visit {
  session: string;
  pageviews: number;
  variants: Record<string, string>;
}

/** The visit of `session`; a stored one of another session is over, and starts again empty. */
export function readVisit(store: KeyValueStore, session: string): Visit {
  try {
    const v = JSON.parse(store.get(VISIT_KEY) ?? 'null') as Partial<Visit> | null;
    if (v && v.session === session && typeof v.pageviews === 'number' && v.variants && typeof v.variants === 'object') {
      return { session, pageviews: v.pageviews, variants: v.variants };
    }
  } catch {
    // A damaged record is a visit that starts now.
  }
  return { session, pageviews: 0, variants: {} };
}

export function saveVisit(store: KeyValueStore, visit: Visit): void {
  const entries = Object.entries(visit.variants).slice(-FEEDBACK_LIMITS.variants);
  store.set(VISIT_KEY, JSON.stringify({ ...visit, variants: Object.fromEntries(entries) }));
}
