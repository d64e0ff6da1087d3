import { RANGE_PRESETS, type RangePreset } from '../session-filters';

/**
 * The inbox's filters live in its URL query, like the Sessions page's, so that a filtered inbox can
 * be bookmarked and shared. Names follow the API's (`GET /api/v1/feedback`).
 */
export const INBOX_TEXT_FILTERS = ['survey', 'kind', 'url', 'device', 'experiment', 'variant', 'q', 'status', 'assignee', 'tag'] as const;
export type InboxTextFilter = (typeof INBOX_TEXT_FILTERS)[number];

export type InboxFilters = { range: RangePreset; minScore?: number; maxScore?: number } & Partial<Record<InboxTextFilter, string>>;

const score = (v: string | null) => {
  const n = Number(v);
  return v !== null && v !== '' && Number.isInteger(n) && n >= 0 && n <= 10 ? n : undefined;
};

export function readInboxFilters(params: URLSearchParams): InboxFilters {
  const range = params.get('range');
  const f: InboxFilters = { range: RANGE_PRESETS.some((p) => p.value === range && p.value !== 'custom') ? (range as RangePreset) : 'any' };
  const min = score(params.get('minScore'));
  const max = score(params.get('maxScore'));
  if (min !== undefined) f.minScore = min;
  if (max !== undefined) f.maxScore = max;
  for (const k of INBOX_TEXT_FILTERS) {
    const v = params.get(k)?.trim();
    if (v) f[k] = v;
  }
  // A variant is always of one experiment: alone it would be refused.
  if (f.variant && !f.experiment) delete f.variant;
  return f;
}

export function writeInboxFilters(f: InboxFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.range !== 'any') out.set('range', f.range);
  if (f.minScore !== undefined) out.set('minScore', String(f.minScore));
  if (f.maxScore !== undefined) out.set('maxScore', String(f.maxScore));
  for (const k of INBOX_TEXT_FILTERS) if (f[k]) out.set(k, f[k]);
  return out;
}

/** The API query for `filters`, a relative time range resolved against `now`. */
export function inboxQuery(projectId: string, f: InboxFilters, now = Date.now()): URLSearchParams {
  const q = writeInboxFilters(f);
  q.delete('range');
  q.set('project', projectId);
  const preset = RANGE_PRESETS.find((p) => p.value === f.range);
  if (preset?.ms) q.set('from', new Date(now - preset.ms).toISOString());
  return q;
}
