// A Gaussian posterior on the lift itself (GrowthBook's "effect" Bayesian test, and the normal
// model of Deng 2015, "Objective Bayesian Two Sample Hypothesis Testing for Online Controlled
// Experiments"): the estimate and its standard error are the likelihood, N(Δ̂, se²).
import { normalCdf, normalPdf, normalQuantile } from './distributions';
import { DegenerateInput } from './statistics';
import type { Difference, Effect } from './effect';

/** A Gaussian prior on the relative lift: its mean and variance (0.1 is a standard deviation of about 32%). */
export interface GaussianPrior {
  mean: number;
  variance: number;
}

export interface BayesianResult {
  /** Posterior mean of the lift. */
  expected: number;
  /** Posterior standard deviation. */
  stddev: number;
  /** The central 1 − α credible interval. */
  ci: [number, number];
  /** P(the treatment is better), "better" meaning lower for an inverse metric. */
  chanceToWin: number;
  /** Expected loss of shipping each side: how much lift is given up, on average, if it is the wrong choice. */
  risk: { control: number; treatment: number };
}

/**
 * Posterior N(μ, σ²) of the lift. Without a prior (the improper flat prior) it is the likelihood:
 * μ = Δ̂, σ = se. With a proper prior N(m, v) on the relative scale (rescaled to the absolute scale
 * by the control's value: m·|Ȳc|, v·Ȳc²) precisions add:
 *   1/σ² = 1/se² + 1/v,   μ = σ²·(Δ̂/se² + m/v).
 * Chance to win = P(δ > 0) = Φ(μ/σ) (P(δ < 0) for an inverse metric).
 * Risk, the expected loss of a choice, from the normal's partial expectations:
 *   choosing the control loses E[max(δ, 0)]  = μ·Φ(μ/σ) + σ·φ(μ/σ)
 *   choosing the treatment loses E[max(−δ, 0)] = −μ·Φ(−μ/σ) + σ·φ(μ/σ)
 * (the two swap for an inverse metric, where a positive δ is a loss).
 */
export function bayesianTest(effect: Effect, alpha: number, difference: Difference, inverse: boolean, prior?: GaussianPrior): BayesianResult {
  const { estimate, standardError: se } = effect;
  let mu = estimate;
  let sigma = se;
  if (prior) {
    const scale = difference === 'relative' ? 1 : Math.abs(effect.controlMean);
    if (scale === 0) {
      throw new DegenerateInput('The prior is on the relative scale, and the control\'s value is zero, so it cannot be carried to the absolute difference; ask for the "relative" difference or leave the prior out.');
    }
    const priorMean = prior.mean * scale;
    const priorVariance = prior.variance * scale ** 2;
    const precision = 1 / se ** 2 + 1 / priorVariance;
    mu = (estimate / se ** 2 + priorMean / priorVariance) / precision;
    sigma = Math.sqrt(1 / precision);
  }
  const z = mu / sigma;
  const up = normalCdf(z);
  const density = sigma * normalPdf(z);
  // Partial expectations can round a hair below zero far in a tail; a loss is never negative.
  const lossIfPositive = Math.max(0, mu * up + density);
  const lossIfNegative = Math.max(0, -mu * normalCdf(-z) + density);
  const q = normalQuantile(1 - alpha / 2);
  return {
    expected: mu,
    stddev: sigma,
    ci: [mu - q * sigma, mu + q * sigma],
    chanceToWin: inverse ? normalCdf(-z) : up,
    risk: inverse ? { control: lossIfNegative, treatment: lossIfPositive } : { control: lossIfPositive, treatment: lossIfNegative },
  };
}
