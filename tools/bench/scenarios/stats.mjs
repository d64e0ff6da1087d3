// `stats`: analyses per second of the experiment statistics engine on summary statistics (3 metrics
// × 4 variants), frequentist (sequential, CUPED, Holm) and Bayesian (proper prior, CUPED), next to
// a bare Welch t-test of the same 9 comparisons.
import { childEnv, runChild } from '../support.mjs';

const WARMUP_SECONDS = 0.5;
const SECONDS = 2;
const REFERENCE = 'bare Welch t from the sums, stdlib t-cdf + t-quantile';
const LABELS = {
  frequentist: 'stats (frequentist: sequential, CUPED, Holm)',
  bayesian: 'stats (Bayesian: prior, CUPED)',
};

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

export const stats = {
  name: 'stats',
  describe: `the statistics engine alone: whole analyses of 3 metrics × 4 variants per second, ${SECONDS} s rounds after ${WARMUP_SECONDS} s of warm-up`,
  async run(ctx) {
    const out = await runChild(ctx.bundle('stats'), { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS }, { env: childEnv(), timeoutMs: 60_000 });
    return Object.entries(out).map(([engine, m]) => {
      const figure = mean(m.loupe.map((r) => r.analysesPerSecond));
      return {
        scenario: LABELS[engine],
        figure,
        unit: 'analyses/s',
        better: 'higher',
        reference: REFERENCE,
        referenceFigure: mean(m.reference.map((r) => r.analysesPerSecond)),
        note: `${Math.round(figure * m.comparisons).toLocaleString('en-US')} results/s, ${(1e6 / figure).toFixed(1)} µs per analysis of ${m.comparisons} comparisons`,
        details: m,
      };
    });
  },
};
