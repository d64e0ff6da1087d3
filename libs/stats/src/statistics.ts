// Sufficient statistics of one variant for one metric, and the per-unit moments derived from them.
// They are sums a database computes in one pass (`count(*)`, `sum(x)`, `sum(x*x)`, `sum(x*y)`),
// so a caller never moves user-level rows to the engine.

/** The sum and the sum of squares of one value over the units (users) of a variant. */
export interface Sums {
  sum: number;
  sumSquares: number;
}

/** Pre-exposure data for CUPED: the covariate's sums and the sum of covariate × metric products. */
export interface PreExposure {
  pre?: Sums;
  sumProductsPrePost?: number;
}

/** A conversion: `sum` of `n` units converted (each unit's value is 0 or 1). */
export interface ProportionStatistic extends PreExposure {
  type: 'proportion';
  n: number;
  sum: number;
}

/** A continuous value per unit (revenue, time on page, a satisfaction score). */
export interface MeanStatistic extends PreExposure, Sums {
  type: 'mean';
  n: number;
}

/**
 * A ratio of two per-unit values summed over the variant, such as revenue per order or clicks per
 * page view: the unit of randomisation (the user) is not the unit of the denominator.
 */
export interface RatioStatistic {
  type: 'ratio';
  n: number;
  numerator: Sums;
  denominator: Sums;
  /** Σ numerator × denominator over the units. */
  sumProducts: number;
}

export type VariantStatistic = ProportionStatistic | MeanStatistic | RatioStatistic;

/** What the tests need of one arm: the metric's value, its per-unit variance and, for CUPED, the covariate's. */
export interface ArmMoments {
  n: number;
  /** The metric's value in this arm, unadjusted: a rate, a mean or a ratio. */
  mean: number;
  /** Per-unit variance: the variance of `mean` is `variance / n`. */
  variance: number;
  /** The covariate's mean, its per-unit variance and its covariance with the metric. */
  pre: { mean: number; variance: number; covariance: number } | null;
}

/**
 * Input that gives no answer (an empty arm, a metric that does not vary, a zero control for a
 * relative change). It becomes the result's `error`, a sentence for the person reading it.
 */
export class DegenerateInput extends Error {}

/** How a variant is named in messages: "the control" or `variant "b"`. */
export type ArmLabel = string;

/**
 * Per-unit moments from sums. Means and ratios use the unbiased sample variance (n − 1);
 * proportions use p(1 − p), and so do the covariate's variance and covariance (n as the divisor)
 * when the metric is a proportion, so that all three share a divisor and the adjusted variance
 * cannot go negative by mixing them.
 */
export function armMoments(stat: VariantStatistic, label: ArmLabel): ArmMoments {
  const n = stat.n;
  if (!(n > 0)) throw new DegenerateInput(`${capitalise(label)} has no users for this metric yet, so there is nothing to compare.`);
  if (n < 2) throw new DegenerateInput(`${capitalise(label)} has a single user for this metric; a variance needs at least two.`);
  if (stat.type === 'ratio') return ratioMoments(stat, label);
  const divisor = stat.type === 'proportion' ? n : n - 1;
  const mean = stat.sum / n;
  const variance = stat.type === 'proportion' ? mean * (1 - mean) : centredSquares(stat.sum, stat.sumSquares, n) / divisor;
  let pre: ArmMoments['pre'] = null;
  if (stat.pre && stat.sumProductsPrePost !== undefined) {
    pre = {
      mean: stat.pre.sum / n,
      variance: centredSquares(stat.pre.sum, stat.pre.sumSquares, n) / divisor,
      covariance: (stat.sumProductsPrePost - (stat.sum * stat.pre.sum) / n) / divisor,
    };
  }
  return { n, mean, variance, pre };
}

/**
 * The delta method for a ratio of means M̄ / D̄ (Deng, Knoblich & Lu 2018, "Applying the Delta
 * Method in Metric Analytics"):
 *   var(M/D) ≈ var(M)/μD² + var(D)·μM²/μD⁴ − 2·cov(M, D)·μM/μD³, per unit.
 */
function ratioMoments(stat: RatioStatistic, label: ArmLabel): ArmMoments {
  const n = stat.n;
  const meanM = stat.numerator.sum / n;
  const meanD = stat.denominator.sum / n;
  if (meanD === 0) throw new DegenerateInput(`The denominator of this ratio sums to zero in ${label}, so the ratio has no value there.`);
  const varM = centredSquares(stat.numerator.sum, stat.numerator.sumSquares, n) / (n - 1);
  const varD = centredSquares(stat.denominator.sum, stat.denominator.sumSquares, n) / (n - 1);
  const cov = (stat.sumProducts - (stat.numerator.sum * stat.denominator.sum) / n) / (n - 1);
  const variance = varM / meanD ** 2 + (varD * meanM ** 2) / meanD ** 4 - (2 * cov * meanM) / meanD ** 3;
  return { n, mean: meanM / meanD, variance, pre: null };
}

/** Σ(x − x̄)² from Σx and Σx². */
export const centredSquares = (sum: number, sumSquares: number, n: number): number => sumSquares - (sum * sum) / n;

/**
 * CUPED's θ, pooled over every arm: the slope of the metric on the covariate in all units
 * together, cov(Y, X) / var(X). One θ for all arms keeps the adjusted means comparable (each is
 * shifted by θ times its own covariate mean); the divisors cancel, so only sums are needed.
 * Zero when the covariate does not vary, which leaves the metric unadjusted.
 */
export function pooledTheta(stats: Array<ProportionStatistic | MeanStatistic>): number {
  let n = 0;
  let sumY = 0;
  let sumX = 0;
  let sumXX = 0;
  let sumXY = 0;
  for (const s of stats) {
    n += s.n;
    sumY += s.sum;
    sumX += s.pre?.sum ?? 0;
    sumXX += s.pre?.sumSquares ?? 0;
    sumXY += s.sumProductsPrePost ?? 0;
  }
  if (n < 2) return 0;
  const varX = centredSquares(sumX, sumXX, n);
  // A covariate that is (nearly) constant carries no information; dividing by its rounding error would.
  if (!(varX > 1e-12 * Math.max(1, Math.abs(sumXX)))) return 0;
  return (sumXY - (sumY * sumX) / n) / varX;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
