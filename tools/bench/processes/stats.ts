// Runs in a child process of the harness: the statistics engine alone on summary statistics, as
// the analysis endpoint and the later stored-experiment views call it. Loupe's side is a whole
// `analyzeExperiment` (3 metrics × 4 variants); the reference is the least any analysis does for
// the same 9 comparisons: Welch's t from the sums, one t tail and one t quantile each, from stdlib.
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { analyzeExperiment, type AnalysisInput, type VariantStatistic } from '@loupe/stats';

export interface StatsBenchInput {
  warmupSeconds: number;
  seconds: number;
}

export interface StatsRound {
  analysesPerSecond: number;
}

export type StatsBenchOutput = Record<'frequentist' | 'bayesian', { loupe: StatsRound[]; reference: StatsRound[]; comparisons: number }>;

const VARIANTS = ['control', 'b', 'c', 'd'];
const USERS = 25_000;

/** Sums of a metric whose value and pre-exposure value are correlated, as a database would send them. */
function withPre(n: number, mean: number, sd: number, lift: number): VariantStatistic {
  const m = mean * (1 + lift);
  const pre = { sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean };
  // Covariance 0.7·sd² between pre and post.
  return { type: 'mean', n, sum: n * m, sumSquares: (n - 1) * sd * sd + n * m * m, pre, sumProductsPrePost: (n - 1) * 0.7 * sd * sd + n * m * mean };
}

function experiment(options: Pick<AnalysisInput, 'engine' | 'sequential' | 'prior' | 'correction'>): AnalysisInput {
  const stats = (make: (i: number) => VariantStatistic) => Object.fromEntries(VARIANTS.map((v, i) => [v, make(i)]));
  return {
    difference: 'relative',
    alpha: 0.05,
    alternative: 'two-sided',
    ...options,
    variants: VARIANTS.map((key) => ({ key, weight: 0.25, users: USERS })),
    metrics: [
      { key: 'purchase', inverse: false, stats: stats((i) => ({ type: 'proportion', n: USERS, sum: 2500 + 40 * i, pre: { sum: 2400, sumSquares: 2400 }, sumProductsPrePost: 1200 + 10 * i })) },
      { key: 'revenue', inverse: false, stats: stats((i) => withPre(USERS, 42, 30, 0.01 * i)) },
      {
        key: 'rage-clicks-per-page',
        inverse: true,
        stats: stats((i) => ({ type: 'ratio', n: USERS, numerator: { sum: 3000 - 50 * i, sumSquares: 9000 }, denominator: { sum: 100_000, sumSquares: 500_000 }, sumProducts: 14_000 })),
      },
    ],
  };
}

/** Welch's t-test on each comparison from its sums: the arithmetic every analysis needs at the least. */
function bareWelch(input: AnalysisInput): number {
  let checksum = 0;
  for (const metric of input.metrics) {
    const moments = VARIANTS.map((v) => {
      const s = metric.stats[v]!;
      const [n, sum, sumSquares] = s.type === 'ratio' ? [s.n, s.numerator.sum, s.numerator.sumSquares] : [s.n, s.sum, s.type === 'mean' ? s.sumSquares : s.sum];
      return { n, mean: sum / n, variance: (sumSquares - (sum * sum) / n) / (n - 1) };
    });
    const control = moments[0]!;
    for (const t of moments.slice(1)) {
      const a = control.variance / control.n;
      const b = t.variance / t.n;
      const df = (a + b) ** 2 / (a ** 2 / (control.n - 1) + b ** 2 / (t.n - 1));
      const se = Math.sqrt(a + b);
      checksum += 2 * tCdf(-Math.abs((t.mean - control.mean) / se), df) + tQuantile(0.975, df) * se;
    }
  }
  return checksum;
}

function rate(work: () => unknown, seconds: number): StatsRound {
  let count = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  // Check the clock every 50 analyses: reading it costs as much as a small analysis.
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) work();
    count += 50;
  }
  return { analysesPerSecond: Math.round(count / ((performance.now() - started) / 1000)) };
}

function main(input: StatsBenchInput): StatsBenchOutput {
  const configurations = {
    frequentist: experiment({ engine: 'frequentist', sequential: { tuning: 5000 }, correction: 'holm' }),
    bayesian: experiment({ engine: 'bayesian', prior: { mean: 0, variance: 0.1 } }),
  };
  const output = {} as StatsBenchOutput;
  for (const [name, config] of Object.entries(configurations) as Array<[keyof StatsBenchOutput, AnalysisInput]>) {
    const sample = analyzeExperiment(config);
    const failed = sample.metrics.flatMap((m) => m.results).filter((r) => r.error);
    if (failed.length) throw new Error(`the benchmark's own data gave errors: ${failed[0]!.error}`);
    const sides = { loupe: () => analyzeExperiment(config), reference: () => bareWelch(config) };
    rate(sides.reference, input.warmupSeconds);
    rate(sides.loupe, input.warmupSeconds);
    const rounds: Record<keyof typeof sides, StatsRound[]> = { loupe: [], reference: [] };
    for (const who of ['reference', 'loupe', 'loupe', 'reference'] as const) rounds[who].push(rate(sides[who], input.seconds));
    output[name] = { ...rounds, comparisons: sample.metrics.reduce((s, m) => s + m.results.length, 0) };
  }
  return output;
}

const input = JSON.parse(process.argv[2] ?? '{}') as StatsBenchInput;
try {
  const output = main(input);
  process.send!({ ok: true, output }, () => process.exit(0));
} catch (err) {
  process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1));
}
