// The lift of a treatment over the control and its standard error: the one quantity every test
// (Welch, sequential, Bayesian) is built on.
import { DegenerateInput, type ArmMoments } from './statistics';

export type Difference = 'relative' | 'absolute';

export interface Effect {
  /** Absolute: treatment − control. Relative: (treatment − control) / |control|. CUPED-adjusted when θ ≠ 0. */
  estimate: number;
  /** The estimate's standard error. */
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  degreesOfFreedom: number;
  /** Units in both arms: the sample size a confidence sequence is indexed by. */
  units: number;
  /** The control's unadjusted value, for putting a relative prior on the absolute scale. */
  controlMean: number;
}

/**
 * The effect of `treatment` against `control`. With a covariate (θ ≠ 0) each arm's value is
 * adjusted to Ȳ − θ·X̄ (CUPED, Deng, Xu, Kohavi & Walker 2013), and its per-unit variance becomes
 *   var(Y) + θ²·var(X) − 2θ·cov(Y, X).
 * Absolute: Δ = adjT − adjC, var = vT/nT + vC/nC.
 * Relative: Δ = (adjT − adjC) / |Ȳc|, whose variance is taken by the delta method over the four
 * means (Ȳt, X̄t, Ȳc, X̄c), with θ held fixed; without a covariate it reduces to
 *   vT / (nT·Ȳc²) + vC·Ȳt² / (nC·Ȳc⁴).
 */
export function effectOf(control: ArmMoments, treatment: ArmMoments, theta: number, difference: Difference, treatmentLabel = 'the variant'): Effect {
  const adjusted = (arm: ArmMoments) => arm.mean - theta * (arm.pre?.mean ?? 0);
  const adjustedVariance = (arm: ArmMoments) => (arm.pre ? arm.variance + theta ** 2 * arm.pre.variance - 2 * theta * arm.pre.covariance : arm.variance);
  const vC = adjustedVariance(control);
  const vT = adjustedVariance(treatment);
  for (const [v, arm, who] of [[vC, control, 'the control'], [vT, treatment, treatmentLabel]] as const) {
    if (!(v > 0)) {
      throw new DegenerateInput(
        theta !== 0 && arm.variance > 0
          ? `Once adjusted for the pre-exposure covariate, the metric no longer varies in ${who}, so its uncertainty cannot be estimated; analyse it without the covariate.`
          : `The metric does not vary in ${who} (every user has the same value), so its uncertainty cannot be estimated yet.`,
      );
    }
  }
  const absolute = adjusted(treatment) - adjusted(control);
  const seC2 = vC / control.n;
  const seT2 = vT / treatment.n;
  const degreesOfFreedom = (seC2 + seT2) ** 2 / (seC2 ** 2 / (control.n - 1) + seT2 ** 2 / (treatment.n - 1));
  const units = control.n + treatment.n;
  if (difference === 'absolute') {
    return { estimate: absolute, standardError: Math.sqrt(seC2 + seT2), degreesOfFreedom, units, controlMean: control.mean };
  }
  if (control.mean === 0) {
    throw new DegenerateInput('The control\'s value is zero, so a relative change has no meaning; ask for the "absolute" difference instead.');
  }
  const c = Math.abs(control.mean);
  // Gradient of (adjT − adjC)/|Ȳc| with respect to each mean.
  const dYc = -(c + Math.sign(control.mean) * absolute) / c ** 2;
  const dXc = theta / c;
  const treatmentPart = vT / (treatment.n * c ** 2);
  const controlPre = control.pre ? dXc ** 2 * control.pre.variance + 2 * dYc * dXc * control.pre.covariance : 0;
  const controlPart = (dYc ** 2 * control.variance + controlPre) / control.n;
  const variance = treatmentPart + controlPart;
  if (!(variance > 0)) throw new DegenerateInput('The relative change has no variance left to estimate its uncertainty from.');
  return { estimate: absolute / c, standardError: Math.sqrt(variance), degreesOfFreedom, units, controlMean: control.mean };
}
