// Corrections for testing several variants and metrics at once: with 20 comparisons at α = 0.05,
// one "significant" result is expected by chance alone.

export type Correction = 'holm' | 'benjamini-hochberg';

/**
 * Adjusted p-values, in the order given; `null` entries (comparisons that gave no p-value) are
 * left out of the family and stay `null`. Compare an adjusted p-value with α as usual.
 *
 * Holm (1979), controls the family-wise error rate: with p₍₁₎ ≤ … ≤ p₍ₘ₎,
 *   p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
 * Benjamini–Hochberg (1995), controls the false discovery rate:
 *   p̃₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎ / j).
 */
export function adjustPValues(pValues: Array<number | null>, method: Correction): Array<number | null> {
  const family = pValues.flatMap((p, index) => (p === null ? [] : [{ p, index }])).sort((a, b) => a.p - b.p);
  const m = family.length;
  const adjusted: Array<number | null> = pValues.map(() => null);
  if (method === 'holm') {
    let running = 0;
    family.forEach(({ p, index }, i) => {
      running = Math.max(running, Math.min(1, (m - i) * p));
      adjusted[index] = running;
    });
  } else {
    let running = 1;
    family.reduceRight((_, { p, index }, i) => {
      running = Math.min(running, (m * p) / (i + 1));
      adjusted[index] = running;
      return running;
    }, running);
  }
  return adjusted;
}
