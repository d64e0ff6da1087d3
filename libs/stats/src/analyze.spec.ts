// The whole analysis: the figures of the worked examples (see frequentist.spec.ts and
// bayesian.spec.ts for how each was computed) reached through one request, the correction across
// variants and metrics, verdicts for inverse metrics, and every degenerate input.
import { describe, expect, it } from 'vitest';
import { analyzeExperiment, type AnalysisInput, type ComparisonResult } from './analyze';
import { adjustPValues } from './corrections';
import type { VariantStatistic } from './statistics';
import { expectClose, meanStat } from './test-reference';

const A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

const conversion = (n: number, sum: number): VariantStatistic => ({ type: 'proportion', n, sum });

function request(overrides: Partial<AnalysisInput> = {}): AnalysisInput {
  return {
    engine: 'frequentist',
    difference: 'relative',
    alpha: 0.05,
    alternative: 'two-sided',
    variants: [
      { key: 'control', weight: 0.5, users: 1000 },
      { key: 'b', weight: 0.5, users: 1000 },
    ],
    metrics: [
      { key: 'purchase', inverse: false, stats: { control: conversion(1000, 100), b: conversion(1000, 130) } },
      { key: 'basket', inverse: false, stats: { control: meanStat(A1), b: meanStat(A2) } },
    ],
    ...overrides,
  };
}

const NUMERIC_FIELDS = ['expected', 'ci', 'stddev', 'pValue', 'adjustedPValue', 'chanceToWin', 'risk', 'verdict'] as const;

function expectError(r: ComparisonResult | undefined, pattern: RegExp) {
  expect(r?.error).toMatch(pattern);
  for (const field of NUMERIC_FIELDS) expect(r?.[field], field).toBeNull();
}

describe('analyzeExperiment', () => {
  it('frequentist: every variant against the control on every metric, with the worked figures', () => {
    const out = analyzeExperiment(request());
    expect(out.srm).toEqual({ pValue: 1, flagged: false, error: null });
    const [purchase, basket] = out.metrics;
    expect(purchase).toMatchObject({ key: 'purchase', inverse: false, theta: null });
    const p = purchase!.results[0]!;
    expect(p).toMatchObject({ variant: 'b', adjustedPValue: null, chanceToWin: null, risk: null, error: null, verdict: 'inconclusive' });
    expectClose(p.expected, 0.3);
    expectClose(p.pValue, 0.06559733260262475);
    expectClose(p.ci![0], -0.019375372265979);
    const b = basket!.results[0]!;
    expectClose(b.expected, 0.10406660262568043);
    expectClose(b.pValue, 0.0305940100905449);
    expect(b.verdict).toBe('better');
  });

  it('Bayesian: chance to win and risk, and the frequentist fields null (not absent)', () => {
    const out = analyzeExperiment(request({ engine: 'bayesian' }));
    const r = out.metrics[0]!.results[0]!;
    expect(Object.keys(r).sort()).toEqual(['adjustedPValue', 'chanceToWin', 'ci', 'error', 'expected', 'pValue', 'risk', 'stddev', 'variant', 'verdict']);
    expect(r.pValue).toBeNull();
    expect(r.adjustedPValue).toBeNull();
    expectClose(r.chanceToWin, 0.9672763417294536);
    expectClose(r.risk!.control, 0.30208906485859227);
    expect(r.verdict).toBe('better'); // chance to win ≥ 1 − α
  });

  it('sequential with the default tuning of 5000', () => {
    const out = analyzeExperiment(request({ difference: 'absolute', sequential: {} }));
    const r = out.metrics[0]!.results[0]!;
    expectClose(r.ci![0], -0.014517962102267785);
    expectClose(r.pValue, 0.3789315075857974);
  });

  it('one-sided tests leave the open side of the interval null', () => {
    const greater = analyzeExperiment(request({ alternative: 'greater' })).metrics[1]!.results[0]!;
    expect(greater.ci![1]).toBeNull();
    const less = analyzeExperiment(request({ alternative: 'less' })).metrics[1]!.results[0]!;
    expect(less.ci![0]).toBeNull();
    expect(less.verdict).toBe('inconclusive');
  });

  it('several variants: each against the first, and the correction over every variant of every metric', () => {
    const input = request({
      correction: 'holm',
      variants: [
        { key: 'control', weight: 0.4, users: 4000 },
        { key: 'b', weight: 0.3, users: 3000 },
        { key: 'c', weight: 0.3, users: 3000 },
      ],
      metrics: [
        { key: 'purchase', inverse: false, stats: { control: conversion(4000, 400), b: conversion(3000, 360), c: conversion(3000, 300) } },
        { key: 'signup', inverse: false, stats: { control: conversion(4000, 800), b: conversion(3000, 660), c: conversion(3000, 590) } },
      ],
    });
    const out = analyzeExperiment(input);
    expect(out.metrics.map((m) => m.results.map((r) => r.variant))).toEqual([
      ['b', 'c'],
      ['b', 'c'],
    ]);
    const results = out.metrics.flatMap((m) => m.results);
    const expected = adjustPValues(results.map((r) => r.pValue), 'holm');
    results.forEach((r, i) => expect(r.adjustedPValue).toBe(expected[i]));
    // b's purchase lift (12% against 10%, p = 0.015) passes alone (p < 0.05) but not after Holm over four comparisons.
    const bPurchase = results[0]!;
    expect(bPurchase.pValue).toBeLessThan(0.05);
    expect(bPurchase.adjustedPValue).toBeGreaterThan(0.05);
    expect(bPurchase.verdict).toBe('inconclusive');
    expect(out.srm.flagged).toBe(false);
  });

  it('an inverse metric: a significant drop is better, a significant rise worse', () => {
    const frustration = (control: number[], b: number[]) =>
      analyzeExperiment(request({ metrics: [{ key: 'rage-clicks', inverse: true, stats: { control: meanStat(control), b: meanStat(b) } }] })).metrics[0]!.results[0]!;
    expect(frustration(A2, A1).verdict).toBe('better');
    expect(frustration(A1, A2).verdict).toBe('worse');
    const bayes = analyzeExperiment(request({ engine: 'bayesian', metrics: [{ key: 'rage-clicks', inverse: true, stats: { control: meanStat(A2), b: meanStat(A1) } }] })).metrics[0]!.results[0]!;
    expect(bayes.chanceToWin).toBeGreaterThan(0.95);
    expect(bayes.risk!.treatment).toBeLessThan(bayes.risk!.control);
    expect(bayes.verdict).toBe('better');
  });

  it('reports CUPED\'s θ with the metric', () => {
    const out = analyzeExperiment(request({ metrics: [{ key: 'spend', inverse: false, stats: { control: meanStat([13, 17, 9, 22], [12, 15, 9, 20]), b: meanStat([12, 21, 15, 9], [10, 18, 13, 7]) } }] }));
    expect(out.metrics[0]!.theta).toBeGreaterThan(0.9);
    expect(out.metrics[0]!.results[0]!.error).toBeNull();
  });

  it('flags a sample ratio mismatch from the variants\' users and weights', () => {
    const out = analyzeExperiment(request({ variants: [{ key: 'control', weight: 0.5, users: 1000 }, { key: 'b', weight: 0.5, users: 1200 }] }));
    expect(out.srm.flagged).toBe(true);
    expectClose(out.srm.pValue, 0.0000200786561243, 1e-6); // erfc(√(18.1818/2)), X² = 2·100²/1100
  });

  it('throws for settings outside their domain, which a caller must not send', () => {
    expect(() => analyzeExperiment(request({ alpha: 0.5 }))).toThrow(RangeError);
    expect(() => analyzeExperiment(request({ sequential: { tuning: 0 } }))).toThrow(/tuning/);
    expect(() => analyzeExperiment(request({ engine: 'bayesian', prior: { mean: 0, variance: 0 } }))).toThrow(/variance/);
  });
});

describe('degenerate input gives a sentence per result, never NaN or an exception', () => {
  const one = (stats: Record<string, VariantStatistic>, overrides: Partial<AnalysisInput> = {}) =>
    analyzeExperiment(request({ metrics: [{ key: 'm', inverse: false, stats }], ...overrides })).metrics[0]!.results[0];

  it('an arm without users', () => {
    expectError(one({ control: conversion(0, 0), b: conversion(10, 3) }), /The control has no users/);
    expectError(one({ control: conversion(10, 3), b: conversion(0, 0) }), /Variant "b" has no users/);
  });

  it('an arm with a single user', () => {
    expectError(one({ control: meanStat([3]), b: meanStat([1, 2, 3]) }), /single user/);
  });

  it('a metric that does not vary (no conversions anywhere)', () => {
    expectError(one({ control: conversion(1000, 0), b: conversion(1000, 0) }), /does not vary in the control/);
    expectError(one({ control: meanStat([4, 5, 6]), b: meanStat([2, 2, 2]) }), /does not vary in variant "b"/);
  });

  it('a control of zero for a relative change, which the absolute difference can still answer', () => {
    expectError(one({ control: meanStat([-1, 1, -2, 2]), b: meanStat([1, 2, 3, 4]) }), /control's value is zero.*absolute/);
    expect(one({ control: meanStat([-1, 1, -2, 2]), b: meanStat([1, 2, 3, 4]) }, { difference: 'absolute' })?.error).toBeNull();
  });

  it('a ratio whose denominator sums to zero', () => {
    const ratio = (den: number): VariantStatistic => ({ type: 'ratio', n: 4, numerator: { sum: 10, sumSquares: 40 }, denominator: { sum: den, sumSquares: den * den }, sumProducts: 0 });
    expectError(one({ control: ratio(0), b: ratio(4) }), /denominator of this ratio sums to zero in the control/);
  });

  it('a covariate that explains the metric entirely leaves no variance after CUPED', () => {
    const pre = [1, 2, 3, 4, 5];
    expectError(one({ control: meanStat(pre.map((x) => 2 * x), pre), b: meanStat(pre.map((x) => 2 * x + 1), pre) }), /no longer varies.*without the covariate/);
  });

  it('pre-exposure data for some variants only, and statistics of different types', () => {
    expectError(one({ control: meanStat([1, 2, 3], [1, 2, 2]), b: meanStat([1, 2, 3]) }), /some variants and not others/);
    expectError(one({ control: meanStat([0, 1, 1]), b: conversion(3, 2) }), /different types/);
  });

  it('a variant without statistics, even one named like a property every object has', () => {
    expectError(one({ control: conversion(10, 3) }), /no statistics for variant "b"/);
    const variants = [
      { key: 'control', weight: 0.5, users: 10 },
      { key: 'constructor', weight: 0.5, users: 10 },
    ];
    expectError(one({ control: conversion(10, 3) }, { variants }), /no statistics for variant "constructor"/);
  });

  it('a relative prior with an absolute difference and a zero control', () => {
    expectError(one({ control: meanStat([-1, 1, -2, 2]), b: meanStat([1, 2, 3, 4]) }, { engine: 'bayesian', difference: 'absolute', prior: { mean: 0, variance: 0.1 } }), /prior is on the relative scale/);
  });

  it('sums too large to compute with', () => {
    const r = one({ control: { type: 'mean', n: 10, sum: 1e200, sumSquares: 1e300 }, b: meanStat([1, 2, 3]) });
    expect(r?.error).toBeTypeOf('string');
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });
});
