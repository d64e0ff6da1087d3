import type { SurveyKind, SurveyScale } from '@loupe/contracts/feedback';
import { meanInterval, npsInterval, wilsonInterval, type Bounds } from './intervals';

/** Where one score sits on its scale: NPS detractor / passive / promoter, and the like for CSAT and CES. */
export type Sentiment = 'negative' | 'neutral' | 'positive';

/** How many answers gave `score`, on a scale from `min` to `max`. */
export interface ScoreCount {
  score: number;
  count: number;
  min: number;
  max: number;
}

/**
 * NPS: 0–6 detractor, 7–8 passive, 9–10 promoter. CSAT: the top two points of the scale satisfied,
 * the bottom two dissatisfied. CES (1–7, 7 = very easy): 5–7 easy, 1–3 difficult, 4 neutral.
 */
export function sentimentOf(kind: SurveyKind, scale: SurveyScale | null, score: number | null): Sentiment | null {
  if (score === null || !scale) return null;
  switch (kind) {
    case 'nps':
      return score <= 6 ? 'negative' : score <= 8 ? 'neutral' : 'positive';
    case 'csat':
      return score >= scale.max - 1 ? 'positive' : score <= scale.min + 1 ? 'negative' : 'neutral';
    case 'ces':
      return score >= 5 ? 'positive' : score <= 3 ? 'negative' : 'neutral';
    default:
      return null;
  }
}

/** The sufficient statistics of a set of scores: enough for a mean, a variance and a t test. */
export interface ScoreStatistics {
  n: number;
  sum: number;
  sumSquares: number;
}

export function scoreStatistics(counts: ReadonlyArray<{ score: number; count: number }>): ScoreStatistics {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const c of counts) {
    n += c.count;
    sum += c.score * c.count;
    sumSquares += c.score * c.score * c.count;
  }
  return { n, sum, sumSquares };
}

/** A 7-point CSAT score on the 5-point scale (1 → 1, 7 → 5, linearly), to average answers of both scales. */
export const onFivePoints = (score: number, max: number) => (max === 7 ? 1 + ((score - 1) * 4) / 6 : score);

const pct = (x: number) => x * 100;
const pctBounds = (b: Bounds | null): Bounds | null => (b ? { low: pct(b.low), high: pct(b.high) } : null);

export interface NpsSummary {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** % promoters − % detractors, −100 to 100; null without answers. */
  score: number | null;
  /** 95% adjusted-Wald interval, in points. */
  interval: Bounds | null;
}

export function npsSummary(counts: readonly ScoreCount[], confidence = 0.95): NpsSummary {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const c of counts) {
    if (c.score >= 9) promoters += c.count;
    else if (c.score >= 7) passives += c.count;
    else detractors += c.count;
  }
  const n = promoters + passives + detractors;
  const b = npsInterval(promoters, detractors, n, confidence);
  return {
    n,
    promoters,
    passives,
    detractors,
    score: n ? pct((promoters - detractors) / n) : null,
    interval: pctBounds(b),
  };
}

export interface CsatSummary {
  n: number;
  satisfied: number;
  /** Percent of answers in the top two points of their scale. */
  percent: number | null;
  interval: Bounds | null;
  mean: number | null;
  meanInterval: Bounds | null;
  /** `1-5` or `1-7` when every answer is on that scale; `1-5` with 7-point answers mapped onto it when they mix. */
  meanScale: string | null;
}

export function csatSummary(counts: readonly ScoreCount[], confidence = 0.95): CsatSummary {
  const scales = new Set(counts.filter((c) => c.count > 0).map((c) => c.max));
  const mixed = scales.size > 1;
  let satisfied = 0;
  const mapped = counts.map((c) => {
    if (c.score >= c.max - 1) satisfied += c.count;
    return { score: mixed ? onFivePoints(c.score, c.max) : c.score, count: c.count };
  });
  const stats = scoreStatistics(mapped);
  const n = stats.n;
  return {
    n,
    satisfied,
    percent: n ? pct(satisfied / n) : null,
    interval: pctBounds(wilsonInterval(satisfied, n, confidence)),
    mean: n ? stats.sum / n : null,
    meanInterval: meanInterval(stats.n, stats.sum, stats.sumSquares, confidence),
    meanScale: n ? (mixed ? '1-5' : `1-${[...scales][0]}`) : null,
  };
}

export interface CesSummary {
  n: number;
  mean: number | null;
  meanInterval: Bounds | null;
  /** Answers 5, 6 or 7 ("somewhat easy" and easier). */
  easy: number;
  percentEasy: number | null;
  interval: Bounds | null;
}

export function cesSummary(counts: readonly ScoreCount[], confidence = 0.95): CesSummary {
  const stats = scoreStatistics(counts);
  const easy = counts.reduce((s, c) => s + (c.score >= 5 ? c.count : 0), 0);
  return {
    n: stats.n,
    mean: stats.n ? stats.sum / stats.n : null,
    meanInterval: meanInterval(stats.n, stats.sum, stats.sumSquares, confidence),
    easy,
    percentEasy: stats.n ? pct(easy / stats.n) : null,
    interval: pctBounds(wilsonInterval(easy, stats.n, confidence)),
  };
}

/** The per-variant figures an experiment's satisfaction metric starts from. */
export interface VariantScores extends ScoreStatistics {
  variant: string;
  promoters: number;
  passives: number;
  detractors: number;
}

/**
 * Sufficient statistics per variant from `(variant, score, count)` rows of one kind. CSAT answers
 * of 5- and 7-point surveys are put on the 5-point scale when they mix, as `csatSummary` does.
 */
export function variantScores(kind: 'nps' | 'csat' | 'ces', rows: ReadonlyArray<ScoreCount & { variant: string }>): VariantScores[] {
  const mixed = kind === 'csat' && new Set(rows.map((r) => r.max)).size > 1;
  const byVariant = new Map<string, Array<ScoreCount & { variant: string }>>();
  for (const r of rows) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r]);
  return [...byVariant]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variant, list]) => {
      const stats = scoreStatistics(list.map((r) => ({ score: mixed ? onFivePoints(r.score, r.max) : r.score, count: r.count })));
      const nps = kind === 'nps' ? npsSummary(list) : null;
      return { variant, ...stats, promoters: nps?.promoters ?? 0, passives: nps?.passives ?? 0, detractors: nps?.detractors ?? 0 };
    });
}
