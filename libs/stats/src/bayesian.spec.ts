// Expected figures: mpmath 1.3 at 30 digits (Python), with Φ = ncdf, φ = npdf and
// nq(p) = findroot(lambda x: ncdf(x) − p, 1), on the formulas written beside each case:
//   posterior N(μ, σ²); chance to win Φ(μ/σ); interval μ ± nq(0.975)·σ;
//   risk of keeping the control μΦ(μ/σ) + σφ(μ/σ); risk of shipping the treatment −μΦ(−μ/σ) + σφ(μ/σ).
import { describe, expect, it } from 'vitest';
import { bayesianTest } from './bayesian';
import { effectOf } from './effect';
import { armMoments, DegenerateInput } from './statistics';
import { expectClose } from './test-reference';

// Control 100/1000 converted, treatment 130/1000: relative lift 0.3 with variance 0.02652
// (see frequentist.spec.ts), absolute lift 0.03 with variance 0.0002031.
const control = armMoments({ type: 'proportion', n: 1000, sum: 100 }, 'the control');
const treatment = armMoments({ type: 'proportion', n: 1000, sum: 130 }, 'b');
const relative = effectOf(control, treatment, 0, 'relative');
const absolute = effectOf(control, treatment, 0, 'absolute');

describe('Gaussian posterior on the lift', () => {
  it('flat prior: the posterior is the likelihood N(0.3, 0.02652)', () => {
    const r = bayesianTest(relative, 0.05, 'relative', false);
    expectClose(r.expected, 0.3);
    expectClose(r.stddev, 0.16284962388657825);
    expectClose(r.chanceToWin, 0.9672763417294536); // ncdf(0.3/0.16285)
    expectClose(r.ci[0], -0.019179397713587117);
    expectClose(r.ci[1], 0.6191793977135871);
    expectClose(r.risk.control, 0.30208906485859227);
    expectClose(r.risk.treatment, 0.002089064858592269);
  });

  it('risk of each side differs by the expected lift: E[max(δ,0)] − E[max(−δ,0)] = E[δ]', () => {
    const r = bayesianTest(relative, 0.05, 'relative', false);
    expectClose(r.risk.control - r.risk.treatment, r.expected);
  });

  it('proper prior N(0, 0.1) on the relative lift shrinks towards zero by precision weighting', () => {
    // 1/σ² = 1/0.02652 + 1/0.1 = 47.7074; μ = (0.3/0.02652)/47.7074 = 0.2371167
    const r = bayesianTest(relative, 0.05, 'relative', false, { mean: 0, variance: 0.1 });
    expectClose(r.expected, 0.23711666139740753);
    expectClose(r.stddev, 0.1447795319357361);
    expectClose(r.chanceToWin, 0.9492659426911509);
    expectClose(r.ci[0], -0.046646006895201805);
    expectClose(r.ci[1], 0.5208793296900168);
    expectClose(r.risk.control, 0.24019313335148237);
    expectClose(r.risk.treatment, 0.0030764719540748533);
  });

  it('a relative prior is carried to the absolute scale by the control value: N(0.05·0.1, 0.1·0.1²)', () => {
    // prior mean 0.005, variance 0.001; 1/σ² = 1/0.0002031 + 1/0.001; μ = (0.03/0.0002031 + 0.005/0.001)·σ²
    const r = bayesianTest(absolute, 0.05, 'absolute', false, { mean: 0.05, variance: 0.1 });
    expectClose(r.expected, 0.025779652564209127);
    expectClose(r.stddev, 0.012992840237285877);
    expectClose(r.chanceToWin, 0.9763800477509076);
    expectClose(r.risk.control, 0.02589474720086055);
    expectClose(r.risk.treatment, 0.00011509463665142348);
  });

  it('an inverse metric (lower is better) flips chance to win and swaps the risks', () => {
    const normal = bayesianTest(relative, 0.05, 'relative', false);
    const inverse = bayesianTest(relative, 0.05, 'relative', true);
    expectClose(inverse.chanceToWin, 1 - normal.chanceToWin);
    expect(inverse.risk).toEqual({ control: normal.risk.treatment, treatment: normal.risk.control });
    expect(inverse.ci).toEqual(normal.ci);
  });

  it('a relative prior cannot be carried to the absolute scale when the control is zero', () => {
    const zeroControl = { ...absolute, controlMean: 0 };
    expect(() => bayesianTest(zeroControl, 0.05, 'absolute', false, { mean: 0, variance: 0.1 })).toThrow(DegenerateInput);
    expect(() => bayesianTest(zeroControl, 0.05, 'absolute', false, { mean: 0, variance: 0.1 })).toThrow(/relative scale/);
  });

  it('far in a tail the risk of the losing side is a tiny non-negative number, never below zero', () => {
    const r = bayesianTest({ ...absolute, estimate: 1, standardError: 0.01 }, 0.05, 'absolute', false);
    expect(r.chanceToWin).toBe(1);
    expect(r.risk.treatment).toBeGreaterThanOrEqual(0);
    expect(r.risk.treatment).toBeLessThan(1e-12);
    expectClose(r.risk.control, 1);
  });
});
