// CUPED and ratio metrics. Expected figures from two routes that do not share the engine's code:
//  - user-level arrays: CUPED's adjusted values y − θ·x fed to a plain Welch test, and the delta
//    method done by numerical differentiation (test-reference.ts);
//  - mpmath 1.3 at 30 digits on the same arrays, for the figures written out.
import { describe, expect, it } from 'vitest';
import { effectOf } from './effect';
import { welchTest } from './frequentist';
import { armMoments, pooledTheta } from './statistics';
import { covariance, deltaMethodVariance, expectClose, mean, meanStat, proportionStat, ratioStat, variance, welchFromArrays } from './test-reference';

// Pre-exposure value x (last month's) and metric y (this month's) of ten users per arm, strongly
// correlated as a user's spend usually is from one month to the next.
const controlX = [12, 15, 9, 20, 14, 11, 17, 8, 16, 13];
const controlY = [13, 17, 9, 22, 15, 12, 18, 10, 18, 13];
const treatmentX = [10, 18, 13, 7, 19, 15, 12, 16, 9, 14];
const treatmentY = [12, 21, 15, 9, 22, 17, 14, 19, 11, 17];

describe('CUPED with a pooled θ', () => {
  const cStat = meanStat(controlY, controlX);
  const tStat = meanStat(treatmentY, treatmentX);
  // Sums: control Σy 147, Σy² 2309, Σx 135, Σx² 1945, Σxy 2117; treatment 157, 2631, 133, 1905, 2238.
  // θ over all 20 users = (Σxy − ΣxΣy/N) / (Σx² − (Σx)²/N) = (4355 − 268·304/20) / (3850 − 268²/20)
  const theta = pooledTheta([cStat, tStat]);

  it('θ is the slope of y on x over every user of every arm', () => {
    expectClose(theta, 1.0873261205564142);
    const allX = [...controlX, ...treatmentX];
    const allY = [...controlY, ...treatmentY];
    expectClose(theta, covariance(allX, allY) / variance(allX));
  });

  it('gives what Welch gives on the adjusted values y − θ·x', () => {
    const e = effectOf(armMoments(cStat, 'c'), armMoments(tStat, 't'), theta, 'absolute');
    const raw = welchFromArrays(
      controlY.map((y, i) => y - theta * controlX[i]!),
      treatmentY.map((y, i) => y - theta * treatmentX[i]!),
    );
    expectClose(e.estimate, raw.estimate);
    expectClose(e.standardError, raw.se);
    expectClose(e.degreesOfFreedom, raw.df);
    // mpmath: adjusted per-unit variances 0.5319605 and 0.1141864; Δ = 1.2174652, se = 0.2541942, ν = 12.693554
    expectClose(e.estimate, 1.2174652241112829);
    expectClose(e.standardError, 0.2541941912052314);
    expectClose(welchTest(e, 0.05, 'two-sided').pValue, 0.0003775577165088278);
  });

  it('reduces the standard error when pre and post are correlated (7.4 times here)', () => {
    const adjusted = effectOf(armMoments(cStat, 'c'), armMoments(tStat, 't'), theta, 'absolute');
    const plain = effectOf(armMoments(meanStat(controlY), 'c'), armMoments(meanStat(treatmentY), 't'), 0, 'absolute');
    expectClose(plain.standardError, 1.8684515276322025);
    expect(plain.standardError / adjusted.standardError).toBeGreaterThan(7);
    expect(welchTest(plain, 0.05, 'two-sided').pValue).toBeGreaterThan(0.5);
    expect(welchTest(adjusted, 0.05, 'two-sided').pValue).toBeLessThan(0.001);
  });

  it('relative: the delta method over the four means matches numerical differentiation', () => {
    const e = effectOf(armMoments(cStat, 'c'), armMoments(tStat, 't'), theta, 'relative');
    // f(ȳt, x̄t, ȳc, x̄c) = ((ȳt − θx̄t) − (ȳc − θx̄c)) / |ȳc|; Σ is block-diagonal, each arm's block
    // the covariance matrix of (ȳ, x̄) = (sample covariances) / n.
    const f = ([yt, xt, yc, xc]: number[]) => (yt! - theta * xt! - (yc! - theta * xc!)) / Math.abs(yc!);
    const block = (ys: number[], xs: number[]) => [
      [variance(ys) / ys.length, covariance(ys, xs) / ys.length],
      [covariance(ys, xs) / ys.length, variance(xs) / ys.length],
    ];
    const [t, c] = [block(treatmentY, treatmentX), block(controlY, controlX)];
    const sigma = [
      [t[0]![0]!, t[0]![1]!, 0, 0],
      [t[1]![0]!, t[1]![1]!, 0, 0],
      [0, 0, c[0]![0]!, c[0]![1]!],
      [0, 0, c[1]![0]!, c[1]![1]!],
    ];
    const numeric = deltaMethodVariance(f, [mean(treatmentY), mean(treatmentX), mean(controlY), mean(controlX)], sigma);
    expectClose(e.standardError ** 2, numeric, 1e-6);
    expectClose(e.estimate, 0.08282076354498523);
    expectClose(e.standardError, 0.01963592948745829);
  });

  it('a conversion metric with a pre-exposure conversion uses n as the divisor throughout', () => {
    const y = [1, 0, 1, 1, 0, 0, 1, 0];
    const x = [1, 0, 1, 0, 0, 0, 1, 1];
    const m = armMoments(proportionStat(y, x), 'c');
    expectClose(m.variance, 0.5 * 0.5);
    expectClose(m.pre!.variance, variance(x, x.length));
    expectClose(m.pre!.covariance, covariance(x, y, x.length));
  });

  it('a covariate that does not vary leaves θ at zero, and the metric unadjusted', () => {
    const flat = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
    expect(pooledTheta([meanStat(controlY, flat), meanStat(treatmentY, flat)])).toBe(0);
  });
});

describe('ratio metrics by the delta method', () => {
  // Revenue (numerator) and orders (denominator) of eight users per arm.
  const controlRevenue = [20, 0, 35, 50, 10, 0, 25, 40];
  const controlOrders = [1, 0, 2, 2, 1, 0, 1, 2];
  const treatmentRevenue = [30, 15, 0, 60, 45, 20, 0, 55];
  const treatmentOrders = [1, 1, 0, 3, 2, 1, 0, 2];

  it('the ratio is Σ numerator / Σ denominator, with the delta-method variance of M̄/D̄', () => {
    const m = armMoments(ratioStat(controlRevenue, controlOrders), 'c');
    expectClose(m.mean, 180 / 9);
    // Numerically: the gradient of m/d at (22.5, 1.125) against the covariance matrix of the per-user pairs.
    const numeric = deltaMethodVariance(([a, b]) => a! / b!, [mean(controlRevenue), mean(controlOrders)], [
      [variance(controlRevenue), covariance(controlRevenue, controlOrders)],
      [covariance(controlRevenue, controlOrders), variance(controlOrders)],
    ]);
    expectClose(m.variance, numeric, 1e-6);
    expectClose(m.variance, 28.21869488536155);
  });

  it('compares two arms: absolute 20 → 22.5 per order, relative +12.5%', () => {
    const c = armMoments(ratioStat(controlRevenue, controlOrders), 'c');
    const t = armMoments(ratioStat(treatmentRevenue, treatmentOrders), 't');
    const abs = effectOf(c, t, 0, 'absolute');
    expectClose(abs.estimate, 2.5);
    expectClose(abs.standardError, 2.582671872988773);
    expectClose(abs.degreesOfFreedom, 13.953638507793995);
    expectClose(welchTest(abs, 0.05, 'two-sided').pValue, 0.34952910360113865);
    const rel = effectOf(c, t, 0, 'relative');
    expectClose(rel.estimate, 0.125);
    expectClose(rel.standardError, 0.1379052469736273);
  });
});
