import type { FunnelStep } from '@loupe/contracts';

/** What a funnel step can match: one typed event of a session, with its page key worked out. */
export interface StepEvent {
  ts: number;
  kind: string;
  url?: string | null;
  pageKey?: string | null;
  name?: string | null;
  selector?: string | null;
  text?: string | null;
  props?: Record<string, unknown> | null;
  windowId?: string | null;
}

/** One event that matched one step. `ord` orders events (time, then position) across a visit. */
export interface StepHit {
  step: number;
  ts: number;
  ord: number;
}

/** How far one session (or visitor) went: `reached` steps done, and when each was done. */
export interface FunnelProgress {
  reached: number;
  times: number[];
}

export interface FunnelOptions {
  windowMs: number;
  order: 'strict' | 'loose';
}

const wildcard = new Map<string, RegExp>();
/** A URL pattern where `*` stands for any text; anchored at both ends. */
function urlPatternRegExp(pattern: string): RegExp {
  let re = wildcard.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    if (wildcard.size > 1000) wildcard.clear();
    wildcard.set(pattern, re);
  }
  return re;
}

/** Whether one event is this step. */
export function matchesStep(step: FunnelStep, e: StepEvent): boolean {
  switch (step.type) {
    case 'page':
      if (e.kind !== 'pageview') return false;
      if (step.pageKey !== undefined) return e.pageKey === step.pageKey;
      return !!e.url && urlPatternRegExp(step.urlPattern ?? '').test(e.url);
    case 'event':
      if (e.kind !== 'custom' || e.name !== step.name) return false;
      return Object.entries(step.props ?? {}).every(([k, v]) => e.props?.[k] === v);
    case 'click':
      if (e.kind !== 'click') return false;
      if (step.selector !== undefined && e.selector !== step.selector) return false;
      if (step.text !== undefined && (e.text ?? '').trim().toLowerCase() !== step.text.toLowerCase()) return false;
      return true;
  }
}

/**
 * Every (event, step) match of a session's events, in event order. An event may be several steps
 * (a funnel that visits the same page twice), and `ord` keeps them apart: a step must be done by a
 * later event than the step before it.
 */
export function stepHitsOf(steps: readonly FunnelStep[], events: readonly StepEvent[], firstOrd = 0): StepHit[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const hits: StepHit[] = [];
  sorted.forEach((e, i) => {
    steps.forEach((step, s) => {
      if (matchesStep(step, e)) hits.push({ step: s, ts: e.ts, ord: firstOrd + i });
    });
  });
  return hits;
}

/**
 * How far a run of hits goes through a funnel of `stepCount` steps. Strict: each step after the one
 * before it, all within `windowMs` of the first. Loose: the steps in any order, each by a different
 * event, all within `windowMs` of the earliest. The best attempt wins; among equals, the earliest.
 */
export function funnelProgress(hits: readonly StepHit[], stepCount: number, options: FunnelOptions): FunnelProgress {
  const sorted = [...hits].sort((a, b) => a.ord - b.ord || a.step - b.step);
  let best: FunnelProgress = { reached: 0, times: [] };
  const starts = options.order === 'strict' ? sorted.filter((h) => h.step === 0) : sorted;
  for (const start of starts) {
    const attempt = options.order === 'strict' ? strictFrom(sorted, start, stepCount, options.windowMs) : looseFrom(sorted, start, stepCount, options.windowMs);
    if (attempt.reached > best.reached) best = attempt;
    if (best.reached === stepCount) break;
  }
  return best;
}

function strictFrom(hits: readonly StepHit[], start: StepHit, stepCount: number, windowMs: number): FunnelProgress {
  const times = [start.ts];
  let last = start;
  for (let step = 1; step < stepCount; step++) {
    const next = hits.find((h) => h.step === step && h.ord > last.ord && h.ts - start.ts <= windowMs);
    if (!next) break;
    times.push(next.ts);
    last = next;
  }
  return { reached: times.length, times };
}

function looseFrom(hits: readonly StepHit[], start: StepHit, stepCount: number, windowMs: number): FunnelProgress {
  const inWindow = hits.filter((h) => h.ord >= start.ord && h.ts - start.ts <= windowMs);
  const used = new Set<number>();
  const times: number[] = [];
  for (let step = 0; step < stepCount; step++) {
    const h = inWindow.find((x) => x.step === step && !used.has(x.ord));
    if (!h) break;
    used.add(h.ord);
    times.push(h.ts);
  }
  return { reached: times.length, times };
}

/**
 * How long each step took: from the moment the steps before it were all done to the moment it was.
 * In a strict funnel that is the time since the previous step; in a loose one it is never negative.
 */
export function stepDurations(times: readonly number[]): number[] {
  const out: number[] = [];
  let doneAt = times[0] ?? 0;
  for (let i = 1; i < times.length; i++) {
    const at = Math.max(doneAt, times[i] ?? doneAt);
    out.push(at - doneAt);
    doneAt = at;
  }
  return out;
}

export interface StepCounts {
  entered: number;
  converted: number;
  dropped: number;
  conversionFromPrevious: number | null;
  conversionFromStart: number | null;
  medianMsToConvert: number | null;
  p90MsToConvert: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** The counts per step of many sessions' (or visitors') progress through one funnel. */
export function funnelCounts(progress: readonly FunnelProgress[], stepCount: number): StepCounts[] {
  const reachedAtLeast = Array.from({ length: stepCount + 1 }, () => 0);
  // A count nobody added to is a step nobody reached.
  const atLeast = (k: number) => reachedAtLeast[k] ?? 0;
  const durations: number[][] = Array.from({ length: stepCount }, () => []);
  for (const p of progress) {
    for (let i = 1; i <= Math.min(p.reached, stepCount); i++) reachedAtLeast[i] = atLeast(i) + 1;
    stepDurations(p.times.slice(0, p.reached)).forEach((d, i) => {
      const step = durations[i + 1];
      if (!step) throw new Error(`A progress of ${p.reached} steps does not fit a funnel of ${stepCount}.`);
      step.push(d);
    });
  }
  return durations.map((msToConvert, i) => {
    const entered = atLeast(i + 1);
    const converted = i + 1 < stepCount ? atLeast(i + 2) : entered;
    const previous = i === 0 ? null : atLeast(i);
    const first = atLeast(1);
    const sorted = msToConvert.sort((a, b) => a - b);
    return {
      entered,
      converted,
      dropped: entered - converted,
      conversionFromPrevious: previous === null ? null : previous ? entered / previous : null,
      conversionFromStart: first ? entered / first : null,
      medianMsToConvert: i === 0 ? null : percentile(sorted, 0.5),
      p90MsToConvert: i === 0 ? null : percentile(sorted, 0.9),
    };
  });
}

/** A step's name for people: its label, or what it matches. */
export function stepLabel(step: FunnelStep): string {
  if (step.label) return step.label;
  switch (step.type) {
    case 'page':
      return step.pageKey ?? step.urlPattern ?? 'page';
    case 'event':
      return step.props && Object.keys(step.props).length
        ? `${step.name} (${Object.entries(step.props).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`
        : step.name;
    case 'click':
      return `click ${[step.selector, step.text && `“${step.text}”`].filter(Boolean).join(' ')}`;
  }
}
