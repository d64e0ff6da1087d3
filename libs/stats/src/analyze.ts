// One experiment's analysis: every metric, every variant against the control, the split check and
// the multiple-testing correction. Sufficient statistics in, results out; no I/O.
import { bayesianTest, type GaussianPrior } from './bayesian';
import { adjustPValues, type Correction } from './corrections';
import { effectOf, type Difference } from './effect';
import { sequentialTest, welchTest, type Alternative, type Interval } from './frequentist';
import { sampleRatioMismatch, type SrmResult } from './srm';
import { armMoments, DegenerateInput, pooledTheta, type MeanStatistic, type ProportionStatistic, type VariantStatistic } from './statistics';

export const DEFAULT_SEQUENTIAL_TUNING = 5000;

export interface AnalysisVariant {
  key: string;
  /** The share of users the experiment sends to this variant. */
  weight: number;
  /** Users assigned (or exposed) so far, for the sample ratio check. */
  users: number;
}

export interface AnalysisMetric {
  key: string;
  /** Lower is better (errors, frustration, load time): flips chance to win, risk and the verdict. */
  inverse: boolean;
  /** By variant key. */
  stats: Record<string, VariantStatistic>;
}

export interface AnalysisInput {
  engine: 'frequentist' | 'bayesian';
  difference: Difference;
  /** 1 − the confidence (or credible) level; also the significance threshold. */
  alpha: number;
  /** Frequentist only: the direction the treatment is tested for. */
  alternative: Alternative;
  /** Frequentist only: always-valid results; `tuning` (default 5000) is the number of users where they are tightest. */
  sequential?: { tuning?: number };
  /** Bayesian only: a Gaussian prior on the relative lift; without it, a flat improper prior. */
  prior?: GaussianPrior;
  /** Frequentist only: adjust p-values over every variant of every metric. */
  correction?: Correction;
  /** The first is the control. */
  variants: AnalysisVariant[];
  metrics: AnalysisMetric[];
}

export type Verdict = 'better' | 'worse' | 'inconclusive';

export interface ComparisonResult {
  variant: string;
  /** The lift's estimate (frequentist) or posterior mean (Bayesian), relative or absolute as asked. */
  expected: number | null;
  /** Confidence or credible interval; a one-sided test's open side is `null`. */
  ci: Interval | null;
  /** Standard error (frequentist) or posterior standard deviation (Bayesian) of the lift. */
  stddev: number | null;
  pValue: number | null;
  /** The p-value after the requested correction; `null` without one. */
  adjustedPValue: number | null;
  chanceToWin: number | null;
  risk: { control: number; treatment: number } | null;
  /** Whether the treatment is better or worse than the control at level α, or not shown to be either. */
  verdict: Verdict | null;
  /** Why there is no result (numbers are then `null`), in a sentence. */
  error: string | null;
}

export interface MetricResult {
  key: string;
  inverse: boolean;
  /** CUPED's pooled θ, when pre-exposure data was given. */
  theta: number | null;
  results: ComparisonResult[];
}

export interface AnalysisOutput {
  srm: SrmResult;
  metrics: MetricResult[];
}

/**
 * Analyses every metric for every variant against the control (the first variant). Degenerate data
 * gives a result with an `error` sentence and `null` numbers, never NaN or an exception; settings
 * outside their domain (α, tuning, a prior's variance) are a caller's mistake and throw a RangeError.
 */
export function analyzeExperiment(input: AnalysisInput): AnalysisOutput {
  const [control, ...treatments] = checkSettings(input);
  const metrics = input.metrics.map((metric) => analyzeMetric(input, metric, control, treatments));
  const all = metrics.flatMap((m) => m.results);
  if (input.correction && input.engine === 'frequentist') {
    const adjusted = adjustPValues(all.map((r) => r.pValue), input.correction);
    all.forEach((r, i) => (r.adjustedPValue = adjusted[i] ?? null));
  }
  metrics.forEach((m) => m.results.forEach((r) => (r.verdict = verdictOf(input, m.inverse, r))));
  return {
    srm: sampleRatioMismatch(
      input.variants.map((v) => v.users),
      input.variants.map((v) => v.weight),
    ),
    metrics,
  };
}

/** The control and the other variants, once the settings are known to be in their domain. */
function checkSettings(input: AnalysisInput): [AnalysisVariant, ...AnalysisVariant[]] {
  if (!(input.alpha > 0 && input.alpha < 0.5)) throw new RangeError(`alpha must be between 0 and 0.5 (exclusive); got ${input.alpha}.`);
  const [control, ...treatments] = input.variants;
  if (!control || !treatments.length) throw new RangeError('An experiment needs a control and at least one other variant.');
  const tuning = input.sequential?.tuning ?? DEFAULT_SEQUENTIAL_TUNING;
  if (!(tuning > 0)) throw new RangeError(`The sequential tuning parameter must be positive; got ${tuning}.`);
  if (input.prior && !(input.prior.variance > 0 && Number.isFinite(input.prior.mean))) throw new RangeError('A prior needs a finite mean and a positive variance.');
  return [control, ...treatments];
}

function analyzeMetric(input: AnalysisInput, metric: AnalysisMetric, control: AnalysisVariant, treatments: AnalysisVariant[]): MetricResult {
  let theta: number | null = null;
  let metricError: string | null = null;
  try {
    theta = cupedTheta(input.variants.map((v) => statOf(metric, v.key)));
  } catch (err) {
    if (!(err instanceof DegenerateInput)) throw err;
    metricError = err.message;
  }
  const results = treatments.map((variant) => {
    if (metricError) return failed(variant.key, metricError);
    try {
      return compare(input, metric, control, variant, theta ?? 0);
    } catch (err) {
      if (err instanceof DegenerateInput) return failed(variant.key, err.message);
      throw err;
    }
  });
  return { key: metric.key, inverse: metric.inverse, theta, results };
}

/** Own keys only: a variant called "constructor" must not find Object's. */
const statOf = (metric: AnalysisMetric, key: string): VariantStatistic | undefined => (Object.hasOwn(metric.stats, key) ? metric.stats[key] : undefined);

/** θ over every arm when all of them carry pre-exposure data, `null` when none does. */
function cupedTheta(stats: Array<VariantStatistic | undefined>): number | null {
  const present = stats.filter((s): s is VariantStatistic => s !== undefined);
  const types = new Set(present.map((s) => s.type));
  if (types.size > 1) throw new DegenerateInput(`The variants' statistics are of different types (${[...types].join(', ')}); a metric has one type in every variant.`);
  const adjustable = present.filter((s): s is ProportionStatistic | MeanStatistic => s.type !== 'ratio');
  const withPre = adjustable.filter((s) => s.pre && s.sumProductsPrePost !== undefined);
  if (withPre.length === 0) return null;
  if (withPre.length !== present.length) {
    throw new DegenerateInput('Pre-exposure data (pre and sumProductsPrePost) is given for some variants and not others; give it for all or none.');
  }
  return pooledTheta(withPre);
}

function compare(input: AnalysisInput, metric: AnalysisMetric, control: AnalysisVariant, variant: AnalysisVariant, theta: number): ComparisonResult {
  const controlStat = statOf(metric, control.key);
  const variantStat = statOf(metric, variant.key);
  const label = `variant "${variant.key}"`;
  if (!controlStat) throw new DegenerateInput(`There are no statistics for the control ("${control.key}") on this metric.`);
  if (!variantStat) throw new DegenerateInput(`There are no statistics for ${label} on this metric.`);
  const effect = effectOf(armMoments(controlStat, 'the control'), armMoments(variantStat, label), theta, input.difference, label);
  let result: ComparisonResult;
  if (input.engine === 'bayesian') {
    const b = bayesianTest(effect, input.alpha, input.difference, metric.inverse, input.prior);
    result = { ...empty(variant.key), expected: b.expected, ci: b.ci, stddev: b.stddev, chanceToWin: b.chanceToWin, risk: b.risk };
  } else {
    const f = input.sequential
      ? sequentialTest(effect, input.alpha, input.alternative, input.sequential.tuning ?? DEFAULT_SEQUENTIAL_TUNING)
      : welchTest(effect, input.alpha, input.alternative);
    result = { ...empty(variant.key), expected: effect.estimate, ci: f.ci, stddev: effect.standardError, pValue: f.pValue };
  }
  if (!allFinite(result)) throw new DegenerateInput('The statistics are too extreme to give finite results; check the sums sent for this metric.');
  return result;
}

/**
 * Frequentist: significant when the (adjusted) p-value is below α, in the direction of the
 * estimate. Bayesian: chance to win of at least 1 − α, or at most α. "Better" means lower for an
 * inverse metric.
 */
function verdictOf(input: AnalysisInput, inverse: boolean, r: ComparisonResult): Verdict | null {
  if (r.error || r.expected === null) return null;
  if (r.chanceToWin !== null) {
    // Chance to win already speaks of "better", inverse or not.
    return r.chanceToWin >= 1 - input.alpha ? 'better' : r.chanceToWin <= input.alpha ? 'worse' : 'inconclusive';
  }
  const p = r.adjustedPValue ?? r.pValue;
  if (p === null || !(p < input.alpha) || r.expected === 0) return 'inconclusive';
  return r.expected > 0 !== inverse ? 'better' : 'worse';
}

function allFinite(r: ComparisonResult): boolean {
  const numbers = [r.expected, r.stddev, r.pValue, r.chanceToWin, ...(r.ci ?? []), r.risk?.control, r.risk?.treatment];
  return numbers.every((x) => x === null || x === undefined || Number.isFinite(x));
}

const empty = (variant: string): ComparisonResult => ({
  variant,
  expected: null,
  ci: null,
  stddev: null,
  pValue: null,
  adjustedPValue: null,
  chanceToWin: null,
  risk: null,
  verdict: null,
  error: null,
});

const failed = (variant: string, error: string): ComparisonResult => ({ ...empty(variant), error });
