import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** A two-sided interval; proportions are in 0..1, NPS in −1..1, means on their scale. */
export interface Bounds {
  low: number;
  high: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const zFor = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2, 0, 1);

/**
 * Wilson score interval for a proportion. Unlike the textbook (Wald) interval it stays inside 0..1
 * and does not collapse to a point at 0 or n successes, which is what small samples of answers look
 * like: 3 satisfied out of 3 gives 44% to 100%, not 100% to 100%.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Bounds | null {
  if (n <= 0) return null;
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = ((z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n)));
  return { low: clamp(centre - half, 0, 1), high: clamp(centre + half, 0, 1) };
}

/**
 * Adjusted-Wald interval for a Net Promoter Score (a difference of two proportions of one sample):
 * add 3/4 of a promoter and 3/4 of a detractor (3 answers in all, the rest passives), then take the
 * normal interval of the adjusted score with variance (p_pro + p_det − nps²) / n. Rocks (2016) and
 * Sauro & Lewis found it keeps its stated coverage down to a handful of answers, where the plain
 * Wald interval is far too narrow. In −1..1.
 */
export function npsInterval(promoters: number, detractors: number, n: number, confidence = 0.95): Bounds | null {
  if (n <= 0) return null;
  const z = zFor(confidence);
  const nAdj = n + 3;
  const pro = (promoters + 0.75) / nAdj;
  const det = (detractors + 0.75) / nAdj;
  const nps = pro - det;
  const half = z * Math.sqrt((pro + det - nps * nps) / nAdj);
  return { low: clamp(nps - half, -1, 1), high: clamp(nps + half, -1, 1) };
}

/** Student's t interval for a mean from its sufficient statistics; needs two answers or more. */
export function meanInterval(n: number, sum: number, sumSquares: number, confidence = 0.95): Bounds | null {
  if (n < 2) return null;
  const mean = sum / n;
  // Sample variance from sums; never below 0 (rounding can make it slightly negative when all agree).
  const variance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance / n);
  return { low: mean - half, high: mean + half };
}
