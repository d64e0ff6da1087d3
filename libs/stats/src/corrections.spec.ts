// The textbook example of Benjamini & Hochberg (1995, JRSS B 57:289, section 4.1): fifteen p-values
// from a clinical trial. At q = 0.05 their procedure rejects the four smallest, while a
// Bonferroni-type procedure (Holm's among them) rejects three. Adjusted values computed by hand:
//   BH:   p̃₍ᵢ₎ = min over j ≥ i of 15·p₍ⱼ₎/j  →  0.0001·15 = 0.0015, 0.0004·15/2 = 0.003, 0.0019·15/3 = 0.0095,
//         0.0095·15/4 = 0.035625, then min(0.0201·15/5 = 0.0603, …) …
//   Holm: p̃₍ᵢ₎ = max over j ≤ i of (15 − j + 1)·p₍ⱼ₎  →  0.0015, 0.0004·14 = 0.0056, 0.0019·13 = 0.0247,
//         0.0095·12 = 0.114, 0.0201·11 = 0.2211, 0.0278·10 = 0.278, max(0.278, 0.0298·9 = 0.2682) …
import { describe, expect, it } from 'vitest';
import { adjustPValues } from './corrections';
import { expectClose } from './test-reference';

const P = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
const BH = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.0765, 0.486, 0.5811818181818181, 0.714875, 0.7532307692307693, 0.8132142857142857, 1.0];
const HOLM = [0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278, 0.3213, 1, 1, 1, 1, 1, 1];

describe('multiple-testing corrections', () => {
  it('Benjamini–Hochberg on the paper\'s example rejects four at 0.05', () => {
    const adjusted = adjustPValues(P, 'benjamini-hochberg');
    adjusted.forEach((p, i) => expectClose(p, BH[i]!, 1e-12));
    expect(adjusted.filter((p) => p! < 0.05)).toHaveLength(4);
  });

  it('Holm on the same p-values rejects three', () => {
    const adjusted = adjustPValues(P, 'holm');
    adjusted.forEach((p, i) => expectClose(p, HOLM[i]!, 1e-12));
    expect(adjusted.filter((p) => p! < 0.05)).toHaveLength(3);
  });

  it('keeps the order given and leaves results without a p-value out of the family', () => {
    // Family of three: 0.04, 0.01, 0.03 → Holm: 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → 0.06
    expect(adjustPValues([0.04, null, 0.01, 0.03], 'holm')).toEqual([0.06, null, 0.03, 0.06]);
    // BH: 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04 → min from the top: 0.03, 0.04, 0.04
    const bh = adjustPValues([0.04, null, 0.01, 0.03], 'benjamini-hochberg');
    expect(bh[1]).toBeNull();
    [0.04, 0.03, 0.04].forEach((p, i) => expectClose(bh[[0, 2, 3][i]!], p, 1e-12));
  });
});
