// Sample ratio mismatch: were users split the way the experiment was configured to split them? A
// mismatch means assignment or counting is broken, and no metric of the experiment can be trusted.
import { chiSquareSurvival } from './distributions';

/** Below this p-value the split is flagged (the threshold GrowthBook and most platforms use). */
export const SRM_THRESHOLD = 0.001;

export interface SrmResult {
  /** P(a split at least this far from the weights | assignment works). `null` when no user was counted. */
  pValue: number | null;
  flagged: boolean;
  error: string | null;
}

/**
 * Pearson's chi-square goodness-of-fit test of the users per variant against the configured
 * weights: X² = Σ (observedᵢ − expectedᵢ)² / expectedᵢ with expectedᵢ = wᵢ / Σw · Σ observed, and
 * p = P(χ²(k − 1) ≥ X²) for k variants.
 */
export function sampleRatioMismatch(users: number[], weights: number[]): SrmResult {
  const total = users.reduce((s, u) => s + u, 0);
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  if (users.length < 2 || !(total > 0) || !(weightTotal > 0)) {
    return { pValue: null, flagged: false, error: 'No users have been counted in the variants yet, so the split cannot be checked.' };
  }
  let x2 = 0;
  users.forEach((observed, i) => {
    const expected = ((weights[i] ?? 0) / weightTotal) * total;
    if (expected > 0) x2 += (observed - expected) ** 2 / expected;
  });
  const pValue = chiSquareSurvival(x2, users.length - 1);
  return { pValue, flagged: pValue < SRM_THRESHOLD, error: null };
}
