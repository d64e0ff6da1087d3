// Expected figures come from two routes that share nothing with the engine:
//  - user-level arrays (welchFromArrays in test-reference.ts), for the arithmetic from sums;
//  - mpmath 1.3 at 30 significant digits (Python), for distribution tails and quantiles, with
//      tcdf(t, ν) = betainc(ν/2, 1/2, 0, ν/(ν + t²), regularized=True)/2 for t < 0 (1 − that for t > 0)
//      tq(p, ν)   = findroot(lambda x: tcdf(x, ν) − p, 2)
//    The call behind each figure is written beside it.
import { describe, expect, it } from 'vitest';
import { effectOf } from './effect';
import { sequentialRho, sequentialTest, welchTest } from './frequentist';
import { armMoments } from './statistics';
import { expectClose, meanStat, proportionStat, welchFromArrays } from './test-reference';

// Welch's textbook example (Wikipedia, "Welch's t-test", example 2): t = 2.46 (sign as b − a),
// ν ≈ 25.0, two-sided p = 0.021.
const A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

const moments = (ys: number[]) => armMoments(meanStat(ys), 'arm');

describe("Welch's t-test on a continuous metric", () => {
  // By hand from the arrays: x̄1 = 312.3/15 = 20.82, x̄2 = 344.8/15 = 22.98667,
  // s1² = 7.867429, s2² = 3.812667, se = √(s1²/15 + s2²/15) = 0.8824245, Δ = 2.1666667,
  // t = 2.4553564, ν = 24.988529.
  const effect = effectOf(moments(A1), moments(A2), 0, 'absolute');

  it('takes the estimate, standard error and degrees of freedom the raw data gives', () => {
    const raw = welchFromArrays(A1, A2);
    expectClose(effect.estimate, raw.estimate);
    expectClose(effect.standardError, raw.se);
    expectClose(effect.degreesOfFreedom, raw.df);
    expectClose(effect.standardError, 0.8824245100137551);
    expectClose(effect.degreesOfFreedom, 24.988529290231416);
    expect(raw.t).toBeCloseTo(2.46, 2);
  });

  it('two-sided: the p-value and interval of the textbook example', () => {
    const r = welchTest(effect, 0.05, 'two-sided');
    expectClose(r.pValue, 0.021378001462867034); // 2*tcdf(-2.4553564, 24.988529)
    expect(r.pValue).toBeCloseTo(0.021, 3);
    // tq(0.975, 24.988529) = 2.0595864913656257
    expectClose(r.ci[0], 0.34923706619240524);
    expectClose(r.ci[1], 3.984096267140928);
  });

  it('greater: half the two-sided p-value in the direction of the data, and an interval open above', () => {
    const r = welchTest(effect, 0.05, 'greater');
    expectClose(r.pValue, 0.010689000731433517); // tcdf(-t, ν)
    expectClose(r.ci[0], 0.6593347835830347); // Δ − tq(0.95, ν)·se, tq = 1.7081709154476408
    expect(r.ci[1]).toBeNull();
  });

  it('less: the complement, and an interval open below', () => {
    const r = welchTest(effect, 0.05, 'less');
    expectClose(r.pValue, 0.9893109992685665); // tcdf(t, ν)
    expect(r.ci[0]).toBeNull();
    expectClose(r.ci[1], 3.6739985497502987);
  });

  it('relative: the lift over |control| with the delta-method standard error', () => {
    // Δ/x̄1 = 2.1666667/20.82 = 0.1040666; var = s2²/(n2·x̄1²) + s1²·x̄2²/(n1·x̄1⁴)
    //   = 3.812667/(15·433.4724) + 7.867429·528.3866/(15·187898.3) = 0.000586372 + 0.001474891
    const rel = effectOf(moments(A1), moments(A2), 0, 'relative');
    expectClose(rel.estimate, 0.10406660262568043);
    expectClose(rel.standardError, 0.04540157845028713);
    const r = welchTest(rel, 0.05, 'two-sided');
    expectClose(r.pValue, 0.0305940100905449); // 2*tcdf(-0.104066/0.045402, ν)
    expectClose(r.ci[0], 0.010558124962792365);
    expectClose(r.ci[1], 0.19757508028856852);
  });
});

describe('Welch on a conversion metric (variance p(1 − p))', () => {
  // Control 100/1000 = 10%, treatment 130/1000 = 13%.
  // vC = 0.1·0.9 = 0.09, vT = 0.13·0.87 = 0.1131, se² = 0.09/1000 + 0.1131/1000 = 0.0002031,
  // ν = se⁴ / ((0.00009)²/999 + (0.0001131)²/999) = 1972.4837.
  const control = armMoments(proportionStat([...Array(100).fill(1), ...Array(900).fill(0)]), 'the control');
  const treatment = armMoments({ type: 'proportion', n: 1000, sum: 130 }, 'b');

  it('uses p(1 − p) as the per-unit variance', () => {
    expectClose(control.variance, 0.09);
    expectClose(treatment.variance, 0.1131);
  });

  it('absolute: 3 points, p = 0.0354', () => {
    const e = effectOf(control, treatment, 0, 'absolute');
    expectClose(e.estimate, 0.03);
    expectClose(e.standardError, 0.014251315728731857);
    expectClose(e.degreesOfFreedom, 1972.4837094891202);
    const r = welchTest(e, 0.05, 'two-sided');
    expectClose(r.pValue, 0.03541149025749652);
    expectClose(r.ci[0], 0.0020507842909493782);
    expectClose(r.ci[1], 0.05794921570905062);
  });

  it('relative: +30%, var = 0.1131/(1000·0.01) + 0.09·0.0169/(1000·0.0001) = 0.02652', () => {
    const e = effectOf(control, treatment, 0, 'relative');
    expectClose(e.estimate, 0.3);
    expectClose(e.standardError ** 2, 0.02652);
    const r = welchTest(e, 0.05, 'two-sided');
    expectClose(r.pValue, 0.06559733260262475);
    expectClose(r.ci[0], -0.019375372265979);
    expectClose(r.ci[1], 0.619375372265979);
  });
});

describe('sequential confidence sequences (Waudby-Smith et al., tuning 5000)', () => {
  // The conversion example above, absolute: Δ = 0.03, se² = 0.0002031, N = 2000 users in both arms.
  const effect = effectOf(armMoments({ type: 'proportion', n: 1000, sum: 100 }, 'c'), armMoments({ type: 'proportion', n: 1000, sum: 130 }, 'b'), 0, 'absolute');

  it('ρ² = (−2 ln α + ln(1 − 2 ln α)) / tuning, with 2α for one side', () => {
    // (5.9914645 + ln 6.9914645) / 5000 = (5.9914645 + 1.9446897) / 5000
    expectClose(sequentialRho(0.05, 5000, true) ** 2, 0.001587230920347513);
    expectClose(sequentialRho(0.05, 5000, false) ** 2, 0.0012657719210592473);
  });

  it('two-sided: a wider interval than Welch, and an always-valid p-value', () => {
    // s² = se²·N = 0.4062; half-width = √s² · √(2(Nρ² + 1)·ln(√(Nρ² + 1)/α) / (N²ρ²)) = 0.0445180
    // (Welch's half-width is 0.0279492); p = min(1, √(Nρ²+1) / exp(ρ²·(Δ²N/se²) / (2(Nρ²+1)))).
    const r = sequentialTest(effect, 0.05, 'two-sided', 5000);
    expectClose(r.ci[0], -0.014517962102267785);
    expectClose(r.ci[1], 0.07451796210226778);
    expectClose(r.pValue, 0.3789315075857974);
    // The same data read at a fixed horizon is significant (p = 0.035): peeking is what it costs.
    expect(welchTest(effect, 0.05, 'two-sided').pValue).toBeLessThan(0.05);
  });

  it('one-sided: half-width with ln(1 + √(Nρ² + 1)/(2α)), p-value where the bound crosses zero', () => {
    const r = sequentialTest(effect, 0.05, 'greater', 5000);
    expectClose(r.ci[0], -0.011129496160624855);
    expect(r.ci[1]).toBeNull();
    // mpmath: findroot(lambda a: lower_bound(a), (1e-6, 0.49), solver='bisect') with ρ fixed at α = 0.05
    expectClose(r.pValue, 0.2412216086001496, 1e-8);
    const less = sequentialTest(effect, 0.05, 'less', 5000);
    expect(less.ci[0]).toBeNull();
    expect(less.pValue).toBe(1); // the data points the other way
  });

  it('p ≤ α exactly when the sequence excludes zero', () => {
    for (const estimate of [0.02, 0.04, 0.05, 0.06, 0.08, -0.05, -0.06]) {
      const e = { ...effect, estimate };
      for (const alternative of ['two-sided', 'greater', 'less'] as const) {
        const r = sequentialTest(e, 0.05, alternative, 5000);
        const excludes = (r.ci[0] !== null && r.ci[0] > 0) || (r.ci[1] !== null && r.ci[1] < 0);
        expect(r.pValue <= 0.05, `${alternative} at ${estimate}`).toBe(excludes);
      }
    }
  });

  it('when one arm has a handful of users the fixed-horizon t interval can be wider, and is then the one given', () => {
    // Control of 3 users against 5,000: ν ≈ 2, so t(0.975, ν) ≈ 4.3, while the sequence at N ≈ tuning
    // is about 3.04 standard errors wide.
    const big = armMoments({ type: 'mean', n: 5000, sum: 15000, sumSquares: 4999 + 45000 }, 'b');
    const few = effectOf(moments([1, 2, 4]), big, 0, 'absolute');
    expect(few.degreesOfFreedom).toBeLessThan(2.1);
    const fixed = welchTest(few, 0.05, 'two-sided');
    const seq = sequentialTest(few, 0.05, 'two-sided', 5000);
    expect(seq.ci).toEqual(fixed.ci);
    expect(seq.pValue).toBeGreaterThanOrEqual(fixed.pValue);
  });
});
