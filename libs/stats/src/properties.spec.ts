// Properties that must hold for any data, checked on data fast-check draws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeExperiment, type AnalysisInput } from './analyze';
import type { MeanStatistic, VariantStatistic } from './statistics';

/** A mean metric given by its size, mean and variance, turned into the sums a database sends. */
const arm = fc
  .record({ n: fc.integer({ min: 2, max: 100_000 }), mean: fc.double({ min: -1000, max: 1000, noNaN: true }), variance: fc.double({ min: 0.01, max: 10_000, noNaN: true }) })
  .map(({ n, mean, variance }): MeanStatistic => ({ type: 'mean', n, sum: n * mean, sumSquares: (n - 1) * variance + n * mean * mean }));

const conversionArm = fc.integer({ min: 2, max: 100_000 }).chain((n) => fc.integer({ min: 1, max: n - 1 }).map((sum): VariantStatistic => ({ type: 'proportion', n, sum })));

const doubled = (s: MeanStatistic): MeanStatistic => {
  const mean = s.sum / s.n;
  const variance = (s.sumSquares - (s.sum * s.sum) / s.n) / (s.n - 1);
  const n = 2 * s.n;
  return { type: 'mean', n, sum: n * mean, sumSquares: (n - 1) * variance + n * mean * mean };
};

function analyse(control: VariantStatistic, b: VariantStatistic, overrides: Partial<AnalysisInput> = {}) {
  return analyzeExperiment({
    engine: 'frequentist',
    difference: 'absolute',
    alpha: 0.05,
    alternative: 'two-sided',
    variants: [
      { key: 'control', weight: 0.5, users: control.n },
      { key: 'b', weight: 0.5, users: b.n },
    ],
    metrics: [{ key: 'm', inverse: false, stats: { control, b } }],
    ...overrides,
  }).metrics[0]!.results[0]!;
}

const width = (ci: [number | null, number | null] | null) => ci![1]! - ci![0]!;
const RUNS = { numRuns: 300 };

describe('properties of the engine', () => {
  it('swapping the variants flips the sign of the absolute lift and mirrors its interval', () => {
    fc.assert(
      fc.property(arm, arm, fc.boolean(), fc.constantFrom('frequentist' as const, 'bayesian' as const), (a, b, sequential, engine) => {
        const options = { engine, ...(sequential && engine === 'frequentist' ? { sequential: {} } : {}) };
        const ab = analyse(a, b, options);
        const ba = analyse(b, a, options);
        expect(ab.error).toBeNull();
        const scale = Math.max(1, Math.abs(ab.expected!), width(ab.ci));
        expect(Math.abs(ba.expected! + ab.expected!) / scale).toBeLessThan(1e-9);
        expect(Math.abs(ba.ci![0]! + ab.ci![1]!) / scale).toBeLessThan(1e-9);
        expect(Math.abs(ba.ci![1]! + ab.ci![0]!) / scale).toBeLessThan(1e-9);
        if (engine === 'frequentist') expect(Math.abs(ba.pValue! - ab.pValue!)).toBeLessThan(1e-9);
        else expect(Math.abs(ba.chanceToWin! - (1 - ab.chanceToWin!))).toBeLessThan(1e-9);
      }),
      RUNS,
    );
  });

  it('doubling every arm (same means and variances) narrows every interval', () => {
    fc.assert(
      fc.property(arm, arm, fc.constantFrom('relative' as const, 'absolute' as const), fc.boolean(), fc.constantFrom('frequentist' as const, 'bayesian' as const), (a, b, difference, sequential, engine) => {
        fc.pre(difference === 'absolute' || Math.abs(a.sum / a.n) > 1e-6);
        const options = { difference, engine, ...(sequential && engine === 'frequentist' ? { sequential: {} } : {}) };
        expect(width(analyse(doubled(a), doubled(b), options).ci)).toBeLessThan(width(analyse(a, b, options).ci));
      }),
      RUNS,
    );
  });

  it('p-values and chances to win lie in [0, 1], adjusted ones too', () => {
    fc.assert(
      fc.property(
        fc.oneof(arm, conversionArm),
        fc.constantFrom('two-sided' as const, 'greater' as const, 'less' as const),
        fc.boolean(),
        fc.constantFrom(undefined, 'holm' as const, 'benjamini-hochberg' as const),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        (a, alternative, sequential, correction, alpha) => {
          const b: VariantStatistic = a.type === 'proportion' ? { ...a, sum: Math.max(1, a.sum - 1) } : a.type === 'mean' ? { ...a, sum: a.sum * 1.01 } : a;
          const r = analyse(a, b, { alternative, alpha, correction, difference: 'relative', ...(sequential ? { sequential: { tuning: 5000 } } : {}) });
          if (r.error) return;
          for (const p of [r.pValue, r.adjustedPValue ?? 0]) {
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(1);
          }
          const bayes = analyse(a, b, { engine: 'bayesian', alpha });
          expect(bayes.chanceToWin).toBeGreaterThanOrEqual(0);
          expect(bayes.chanceToWin).toBeLessThanOrEqual(1);
        },
      ),
      RUNS,
    );
  });

  it('sequential intervals are never narrower than fixed-horizon ones, and their p-values never smaller', () => {
    fc.assert(
      fc.property(
        arm,
        arm,
        fc.constantFrom('two-sided' as const, 'greater' as const, 'less' as const),
        fc.constantFrom('relative' as const, 'absolute' as const),
        fc.double({ min: 10, max: 1e7, noNaN: true }),
        (a, b, alternative, difference, tuning) => {
          fc.pre(difference === 'absolute' || Math.abs(a.sum / a.n) > 1e-6);
          const fixed = analyse(a, b, { alternative, difference });
          const seq = analyse(a, b, { alternative, difference, sequential: { tuning } });
          if (fixed.ci![0] !== null) expect(seq.ci![0]!).toBeLessThanOrEqual(fixed.ci![0]);
          if (fixed.ci![1] !== null) expect(seq.ci![1]!).toBeGreaterThanOrEqual(fixed.ci![1]);
          expect(seq.pValue!).toBeGreaterThanOrEqual(fixed.pValue!);
        },
      ),
      RUNS,
    );
  });
});
