// Independent routes to the engine's figures for its tests: statistics computed from user-level
// arrays rather than from sums, and the delta method by numerical differentiation rather than by
// the engine's hand-derived gradients. Only the tests import this file.
import { expect } from 'vitest';
import type { MeanStatistic, ProportionStatistic, RatioStatistic } from './statistics';

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
export const mean = (xs: number[]) => sum(xs) / xs.length;
/** Σ(x − x̄)(y − ȳ) / divisor, from the values themselves. */
export const covariance = (xs: number[], ys: number[], divisor = xs.length - 1) => {
  const mx = mean(xs);
  const my = mean(ys);
  return sum(xs.map((x, i) => (x - mx) * ((ys[i] ?? NaN) - my))) / divisor;
};
export const variance = (xs: number[], divisor = xs.length - 1) => covariance(xs, xs, divisor);

/** The sufficient statistics a database would send for these values. */
export const meanStat = (ys: number[], pre?: number[]): MeanStatistic => ({
  type: 'mean',
  n: ys.length,
  sum: sum(ys),
  sumSquares: sum(ys.map((y) => y * y)),
  ...(pre ? { pre: { sum: sum(pre), sumSquares: sum(pre.map((x) => x * x)) }, sumProductsPrePost: sum(pre.map((x, i) => x * (ys[i] ?? NaN))) } : {}),
});

export const proportionStat = (ys: number[], pre?: number[]): ProportionStatistic => {
  const { sumSquares: _ignored, type: _type, ...rest } = meanStat(ys, pre);
  return { ...rest, type: 'proportion' };
};

export const ratioStat = (numerator: number[], denominator: number[]): RatioStatistic => ({
  type: 'ratio',
  n: numerator.length,
  numerator: { sum: sum(numerator), sumSquares: sum(numerator.map((x) => x * x)) },
  denominator: { sum: sum(denominator), sumSquares: sum(denominator.map((x) => x * x)) },
  sumProducts: sum(numerator.map((x, i) => x * (denominator[i] ?? NaN))),
});

/** Welch's statistic and degrees of freedom straight from two samples. */
export function welchFromArrays(control: number[], treatment: number[]) {
  const se2c = variance(control) / control.length;
  const se2t = variance(treatment) / treatment.length;
  const se = Math.sqrt(se2c + se2t);
  const estimate = mean(treatment) - mean(control);
  const df = (se2c + se2t) ** 2 / (se2c ** 2 / (control.length - 1) + se2t ** 2 / (treatment.length - 1));
  return { estimate, se, t: estimate / se, df };
}

/**
 * The delta method done numerically: the gradient of `f` at `at` by central differences, then
 * gᵀ·Σ·g with Σ the covariance matrix of the means.
 */
export function deltaMethodVariance(f: (x: number[]) => number, at: number[], covarianceOfMeans: number[][]): number {
  const gradient = at.map((x, i) => {
    const h = 1e-6 * Math.max(1, Math.abs(x));
    const up = [...at];
    const down = [...at];
    up[i] = x + h;
    down[i] = x - h;
    return (f(up) - f(down)) / (2 * h);
  });
  return gradient.reduce((s, gi, i) => s + gi * gradient.reduce((t, gj, j) => t + (covarianceOfMeans[i]?.[j] ?? NaN) * gj, 0), 0);
}

/** Equal to `expected` within a relative tolerance (absolute near zero). */
export function expectClose(actual: number | null | undefined, expected: number, relative = 1e-9): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeTypeOf('number');
  const tolerance = relative * Math.max(1e-12, Math.abs(expected));
  if (Math.abs((actual as number) - expected) > tolerance) {
    expect.fail(`expected ${actual} to be ${expected} within a relative ${relative}`);
  }
}
