import { z } from 'zod';

// `POST /api/v1/experiments/analyze`: summary statistics per variant in, results out. The
// statistics are sums a database (or a spreadsheet) computes in one pass, so a team with its data
// elsewhere can use the engine too. Sums that cannot come from real data are refused here, each
// with the field that is wrong; data that is real but gives no answer (an arm without users, a
// metric that does not vary) is answered with a per-result `error` instead.

const MAX_COUNT = 1e12;
const Count = z.number({ message: 'must be a number' }).int('must be a whole number of users').min(0, 'must not be negative').max(MAX_COUNT);
const Value = z.number({ message: 'must be a finite number' });
const Key = z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(100, 'must be at most 100 characters');

/** Σx and Σx² of one value over a variant's users. */
const Sums = z.strictObject({ sum: Value, sumSquares: Value.min(0, 'must not be negative: it is a sum of squares') });

const CupedFields = {
  /** The same users' value of a covariate measured before exposure (usually the metric itself). */
  pre: Sums.optional(),
  /** Σ pre × metric over the users. */
  sumProductsPrePost: Value.optional(),
};

const ProportionStatistic = z.strictObject({ type: z.literal('proportion'), n: Count, sum: Value.min(0, 'must not be negative: it counts users who converted'), ...CupedFields });
const MeanStatistic = z.strictObject({ type: z.literal('mean'), n: Count, sum: Value, sumSquares: Value.min(0, 'must not be negative: it is a sum of squares'), ...CupedFields });
const RatioStatistic = z.strictObject({ type: z.literal('ratio'), n: Count, numerator: Sums, denominator: Sums, sumProducts: Value });

/** Slack for sums that arrive rounded (floating-point sums from a database). */
const tolerance = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

type Issue = { path: Array<string | number>; message: string };

/** Σx² ≥ (Σx)²/n: otherwise no set of n numbers has these sums. */
function checkSums(n: number, sum: number, sumSquares: number, at: Array<string | number>): Issue[] {
  if (n === 0) return sum !== 0 || sumSquares !== 0 ? [{ path: [...at, 'sum'], message: 'must be 0 when n is 0: there are no users to sum over' }] : [];
  const centred = sumSquares - (sum * sum) / n;
  if (centred < -tolerance(sumSquares)) return [{ path: [...at, 'sumSquares'], message: `is smaller than sum²/n (${+((sum * sum) / n).toPrecision(6)}), which no real values give` }];
  return [];
}

/** |cov| ≤ sd·sd (Cauchy–Schwarz): otherwise the product sum cannot come from the same users. */
function checkProducts(n: number, x: { sum: number; sumSquares: number }, y: { sum: number; sumSquares: number }, products: number, at: string): Issue[] {
  if (n < 2) return [];
  const sxx = Math.max(0, x.sumSquares - (x.sum * x.sum) / n);
  const syy = Math.max(0, y.sumSquares - (y.sum * y.sum) / n);
  const sxy = products - (x.sum * y.sum) / n;
  return sxy * sxy > sxx * syy + tolerance(sxx * syy) ? [{ path: [at], message: 'is not consistent with the sums of the two values: their correlation would be beyond ±1' }] : [];
}

function statisticIssues(s: z.infer<typeof ProportionStatistic> | z.infer<typeof MeanStatistic> | z.infer<typeof RatioStatistic>): Issue[] {
  if (s.type === 'ratio') {
    return [
      ...checkSums(s.n, s.numerator.sum, s.numerator.sumSquares, ['numerator']),
      ...checkSums(s.n, s.denominator.sum, s.denominator.sumSquares, ['denominator']),
      ...checkProducts(s.n, s.numerator, s.denominator, s.sumProducts, 'sumProducts'),
    ];
  }
  const issues: Issue[] = [];
  if (s.type === 'proportion' && s.sum > s.n) issues.push({ path: ['sum'], message: `must not exceed n (${s.n}): a proportion counts the users who converted` });
  const post = { sum: s.sum, sumSquares: s.type === 'proportion' ? s.sum : s.sumSquares };
  if (s.type === 'mean') issues.push(...checkSums(s.n, s.sum, s.sumSquares, []));
  if (s.pre && s.sumProductsPrePost === undefined) issues.push({ path: ['sumProductsPrePost'], message: 'is required with pre: CUPED needs Σ pre × metric' });
  if (!s.pre && s.sumProductsPrePost !== undefined) issues.push({ path: ['pre'], message: 'is required with sumProductsPrePost' });
  if (s.pre && s.sumProductsPrePost !== undefined) {
    issues.push(...checkSums(s.n, s.pre.sum, s.pre.sumSquares, ['pre']), ...checkProducts(s.n, s.pre, post, s.sumProductsPrePost, 'sumProductsPrePost'));
  }
  return issues;
}

export const VariantStatistic = z
  .discriminatedUnion('type', [ProportionStatistic, MeanStatistic, RatioStatistic], { message: 'must have a type of "proportion", "mean" or "ratio"' })
  .superRefine((s, ctx) => {
    for (const issue of statisticIssues(s)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type VariantStatistic = z.infer<typeof VariantStatistic>;

export const ExperimentVariant = z.strictObject({
  key: Key,
  /** The share of users the experiment sends to this variant; all weights add up to 1. */
  weight: z.number({ message: 'must be a number' }).gt(0, 'must be above 0').max(1, 'must be at most 1'),
  /** Users assigned so far, for the sample ratio check. */
  users: Count,
});

export const ExperimentMetric = z.strictObject({
  key: Key,
  /** Lower is better (errors, frustration, load time). */
  inverse: z.boolean().default(false),
  /** Statistics by variant key: every variant, and nothing else. */
  stats: z.record(Key, VariantStatistic),
});

const WEIGHT_SLACK = 0.001;

export const AnalyzeExperimentRequest = z
  .strictObject({
    engine: z.enum(['frequentist', 'bayesian']).default('frequentist'),
    difference: z.enum(['relative', 'absolute']).default('relative'),
    alpha: z.number({ message: 'must be a number' }).gt(0, 'must be above 0, such as 0.05').lt(0.5, 'must be below 0.5, such as 0.05').default(0.05),
    alternative: z.enum(['two-sided', 'greater', 'less']).default('two-sided'),
    sequential: z.strictObject({ tuning: z.number({ message: 'must be a number' }).gt(0, 'must be above 0: the number of users where the intervals are tightest').default(5000) }).optional(),
    prior: z.strictObject({ mean: Value, variance: z.number({ message: 'must be a number' }).gt(0, 'must be above 0') }).optional(),
    correction: z.enum(['holm', 'benjamini-hochberg']).optional(),
    variants: z.array(ExperimentVariant).min(2, 'needs a control and at least one other variant').max(20, 'must be at most 20 variants'),
    metrics: z.array(ExperimentMetric).min(1, 'needs at least one metric').max(100, 'must be at most 100 metrics'),
  })
  .superRefine((req, ctx) => {
    const add = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (req.engine === 'bayesian') {
      if (req.sequential) add(['sequential'], 'applies to the frequentist engine only: a Bayesian result can be read at any time as it is');
      if (req.correction) add(['correction'], 'applies to the frequentist engine only: the Bayesian engine gives no p-values to correct');
      if (req.alternative !== 'two-sided') add(['alternative'], 'applies to the frequentist engine only: leave it out with "bayesian"');
    } else if (req.prior) {
      add(['prior'], 'applies to the Bayesian engine only: set engine to "bayesian" or leave the prior out');
    }
    const keys = new Set<string>();
    req.variants.forEach((v, i) => {
      if (keys.has(v.key)) add(['variants', i, 'key'], `repeats "${v.key}": each variant needs its own key`);
      keys.add(v.key);
    });
    const weights = req.variants.reduce((s, v) => s + v.weight, 0);
    if (Math.abs(weights - 1) > WEIGHT_SLACK) add(['variants'], `weights must add up to 1; they add up to ${+weights.toPrecision(6)}`);
    const metricKeys = new Set<string>();
    req.metrics.forEach((m, i) => {
      if (metricKeys.has(m.key)) add(['metrics', i, 'key'], `repeats "${m.key}": each metric needs its own key`);
      metricKeys.add(m.key);
      for (const k of Object.keys(m.stats)) if (!keys.has(k)) add(['metrics', i, 'stats', k], `names no variant: the variants are ${[...keys].map((x) => `"${x}"`).join(', ')}`);
      // Own keys only: a variant called "constructor" must not find Object's.
      const statOf = (key: string) => (Object.hasOwn(m.stats, key) ? m.stats[key] : undefined);
      for (const v of req.variants) if (!statOf(v.key)) add(['metrics', i, 'stats', v.key], 'is required: every variant needs statistics for every metric');
      const present = req.variants.flatMap((v) => {
        const stat = statOf(v.key);
        return stat ? [{ key: v.key, stat }] : [];
      });
      const [first, ...others] = present;
      if (!first) return;
      for (const { key, stat } of others) {
        if (stat.type !== first.stat.type) add(['metrics', i, 'stats', key, 'type'], `must be "${first.stat.type}" like the other variants: a metric has one type`);
        else if (stat.type !== 'ratio' && first.stat.type !== 'ratio' && !stat.pre !== !first.stat.pre) {
          add(['metrics', i, 'stats', key, 'pre'], 'must be given for every variant or none: CUPED adjusts all arms alike');
        }
      }
    });
  });
export type AnalyzeExperimentRequest = z.infer<typeof AnalyzeExperimentRequest>;

const Nullable = z.number().nullable();

export const ComparisonResult = z.object({
  variant: z.string(),
  expected: Nullable.describe('The lift: relative ((b − control) / |control|) or absolute (b − control), as asked'),
  ci: z.tuple([Nullable, Nullable]).nullable().describe('Confidence (frequentist) or credible (Bayesian) interval of the lift; an open side of a one-sided interval is null'),
  stddev: Nullable.describe("The lift's standard error (frequentist) or posterior standard deviation (Bayesian)"),
  pValue: Nullable.describe('Frequentist only'),
  adjustedPValue: Nullable.describe('Frequentist with a correction only: the p-value after Holm or Benjamini–Hochberg'),
  chanceToWin: Nullable.describe('Bayesian only: the probability that the variant is better than the control'),
  risk: z.object({ control: z.number(), treatment: z.number() }).nullable().describe('Bayesian only: the expected loss of choosing each side, in units of the lift'),
  verdict: z.enum(['better', 'worse', 'inconclusive']).nullable(),
  error: z.string().nullable().describe('Why there is no result, when the data gives none; the numbers are then null'),
});

export type ComparisonResult = z.infer<typeof ComparisonResult>;

export const AnalyzeExperimentResponse = z.object({
  srm: z.object({ pValue: Nullable, flagged: z.boolean(), error: z.string().nullable() }),
  metrics: z.array(z.object({ key: z.string(), inverse: z.boolean(), theta: Nullable, results: z.array(ComparisonResult) })),
});
export type AnalyzeExperimentResponse = z.infer<typeof AnalyzeExperimentResponse>;
