import type { SignalKind } from '@loupe/contracts';

/**
 * How much each signal weighs in a session's frustration score: a rage click or a click that broke
 * the page says more about the visit than a cursor shaken once (docs/signals.md).
 */
export const FRUSTRATION_WEIGHTS: Record<SignalKind, number> = {
  rage_click: 3,
  error_click: 3,
  dead_click: 2,
  u_turn: 1.5,
  excessive_scroll: 1,
  thrashed_cursor: 1,
};
/** Each uncaught error adds this much, up to `ERROR_WEIGHT_CAP` in all. */
export const ERROR_WEIGHT = 0.5;
export const ERROR_WEIGHT_CAP = 3;
/** The weight that gives a score of about 63: one rage click and one dead click, say. */
export const FRUSTRATION_SCALE = 6;

/**
 * A session's frustration from 0 (none seen) towards 100: `100 × (1 − e^(−weight / 6))`, where
 * weight is the weighted count of its signals plus its errors. It saturates, so a session that went
 * badly once is not ten times one that went badly ten times, and sessions compare on one scale.
 */
export function frustrationScore(counts: Partial<Record<SignalKind, number>>, errors = 0): number {
  let weight = Math.min(ERROR_WEIGHT_CAP, ERROR_WEIGHT * Math.max(0, errors));
  for (const [kind, n] of Object.entries(counts) as Array<[SignalKind, number]>) weight += (FRUSTRATION_WEIGHTS[kind] ?? 0) * Math.max(0, n);
  return Math.round(1000 * (1 - Math.exp(-weight / FRUSTRATION_SCALE))) / 10;
}

export function countByKind(signals: ReadonlyArray<{ kind: SignalKind }>): Partial<Record<SignalKind, number>> {
  const counts: Partial<Record<SignalKind, number>> = {};
  for (const s of signals) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  return counts;
}
