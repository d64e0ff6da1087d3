// Frequentist tests on an effect: Welch's t-test for a fixed horizon, and asymptotic confidence
// sequences (Waudby-Smith, Arnold, Wu, Wang & Ramdas, "Time-uniform central limit theory and
// asymptotic confidence sequences", Annals of Statistics 2024, arXiv:2103.06476) for results that
// stay valid however often they are looked at.
import { tCdf, tQuantile } from './distributions';
import type { Effect } from './effect';

export type Alternative = 'two-sided' | 'greater' | 'less';

/** An interval whose open side (for a one-sided test) is `null`. */
export type Interval = [number | null, number | null];

export interface FrequentistResult {
  pValue: number;
  ci: Interval;
}

/**
 * Welch's t-test: t = Δ / se with Welch–Satterthwaite degrees of freedom.
 * Two-sided: p = 2·P(T ≤ −|t|), interval Δ ± t(1 − α/2)·se.
 * Greater (treatment above control): p = P(T ≥ t), interval [Δ − t(1 − α)·se, open).
 * Less: p = P(T ≤ t), interval (open, Δ + t(1 − α)·se].
 * Upper tails are read as lower tails of −t, which keeps tiny p-values exact.
 */
export function welchTest(effect: Effect, alpha: number, alternative: Alternative): FrequentistResult {
  const { estimate, standardError: se, degreesOfFreedom: df } = effect;
  const t = estimate / se;
  switch (alternative) {
    case 'two-sided': {
      const half = tQuantile(1 - alpha / 2, df) * se;
      return { pValue: Math.min(1, 2 * tCdf(-Math.abs(t), df)), ci: [estimate - half, estimate + half] };
    }
    case 'greater':
      return { pValue: tCdf(-t, df), ci: [estimate - tQuantile(1 - alpha, df) * se, null] };
    case 'less':
      return { pValue: tCdf(t, df), ci: [null, estimate + tQuantile(1 - alpha, df) * se] };
  }
}

/**
 * The mixing parameter ρ that makes the confidence sequence narrowest when `tuning` units have
 * been seen (eq. 161 of arXiv:2103.06476v7): ρ² = (−2 ln a + ln(1 − 2 ln a)) / tuning, with a = α
 * for a two-sided sequence and a = 2α for a one-sided one.
 */
export function sequentialRho(alpha: number, tuning: number, twoSided: boolean): number {
  const a = twoSided ? alpha : 2 * alpha;
  return Math.sqrt((-2 * Math.log(a) + Math.log(1 - 2 * Math.log(a))) / tuning);
}

/**
 * The asymptotic confidence sequence of Waudby-Smith et al. (Theorem 2.2 and its one-sided form)
 * on the effect, with N units in both arms and σ² = N·se² the per-unit variance of the estimate:
 *   two-sided: Δ ± σ·√( 2(Nρ² + 1) / (N²ρ²) · ln( √(Nρ² + 1) / α ) )
 *   one-sided: Δ ∓ σ·√( 2(Nρ² + 1) / (N²ρ²) · ln( 1 + √(Nρ² + 1) / (2α) ) )
 * and the always-valid p-value, the smallest α whose sequence excludes zero:
 *   two-sided: p = min(1, √(Nρ² + 1) · exp(−Nρ²·z² / (2(Nρ² + 1)))),  z = Δ / se
 *   one-sided: p = min(1, √(Nρ² + 1) / (2(exp(Nρ²·z² / (2(Nρ² + 1))) − 1))) when z points the
 *              alternative's way, 1 otherwise.
 * ρ is fixed by the configured α (see `sequentialRho`), so p ≤ α exactly when the interval excludes 0.
 *
 * The sequence is an asymptotic (normal) result; with a handful of users per arm the fixed-horizon
 * t interval can be the wider of the two. Each side then takes the wider interval and the larger
 * p-value: their union still covers at every look, and a sequential result is never more
 * confident than a fixed-horizon one on the same data.
 */
export function sequentialTest(effect: Effect, alpha: number, alternative: Alternative, tuning: number): FrequentistResult {
  const { estimate, standardError: se, units } = effect;
  const twoSided = alternative === 'two-sided';
  const rho = sequentialRho(alpha, tuning, twoSided);
  const x = units * rho ** 2;
  const z = estimate / se;
  // se·√N·√(2(x + 1)/(N²ρ²)) simplifies to se·√(2(x + 1)/x).
  const scale = se * Math.sqrt((2 * (x + 1)) / x);
  const exponent = (x * z * z) / (2 * (x + 1));
  let sequential: FrequentistResult;
  if (twoSided) {
    const half = scale * Math.sqrt(Math.log(Math.sqrt(x + 1) / alpha));
    sequential = { pValue: Math.min(1, Math.sqrt(x + 1) * Math.exp(-exponent)), ci: [estimate - half, estimate + half] };
  } else {
    const half = scale * Math.sqrt(Math.log(1 + Math.sqrt(x + 1) / (2 * alpha)));
    const towards = alternative === 'greater' ? z > 0 : z < 0;
    const pValue = towards ? Math.min(1, Math.sqrt(x + 1) / (2 * Math.expm1(exponent))) : 1;
    sequential = { pValue, ci: alternative === 'greater' ? [estimate - half, null] : [null, estimate + half] };
  }
  return wider(sequential, welchTest(effect, alpha, alternative));
}

function wider(a: FrequentistResult, b: FrequentistResult): FrequentistResult {
  const lower = a.ci[0] === null || b.ci[0] === null ? null : Math.min(a.ci[0], b.ci[0]);
  const upper = a.ci[1] === null || b.ci[1] === null ? null : Math.max(a.ci[1], b.ci[1]);
  return { pValue: Math.max(a.pValue, b.pValue), ci: [lower, upper] };
}
