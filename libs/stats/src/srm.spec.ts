// Chi-square tails checked against closed forms: with 2 degrees of freedom P(χ² ≥ x) = e^(−x/2)
// exactly; with 1, P(χ² ≥ x) = erfc(√(x/2)) (mpmath 1.3: erfc(sqrt(x/2)) at 30 digits).
import { describe, expect, it } from 'vitest';
import { sampleRatioMismatch, SRM_THRESHOLD } from './srm';
import { expectClose } from './test-reference';

describe('sample ratio mismatch', () => {
  it('three equal arms with 1000, 1100 and 900 users: X² = 20, p = e^−10, flagged', () => {
    // expected 1000 each: (0² + 100² + 100²) / 1000 = 20
    const r = sampleRatioMismatch([1000, 1100, 900], [1 / 3, 1 / 3, 1 / 3]);
    expectClose(r.pValue, Math.exp(-10), 1e-8);
    expect(r.flagged).toBe(true);
    expect(r.error).toBeNull();
  });

  it('5000 against 5100 on a 50/50 split is within chance: X² = 5000/5050, p = 0.3197', () => {
    const r = sampleRatioMismatch([5000, 5100], [0.5, 0.5]);
    expectClose(r.pValue, 0.3197181768128704, 1e-8);
    expect(r.flagged).toBe(false);
  });

  it('takes the configured weights: 210/790 on a 20/80 split, X² = 100/200 + 100/800 = 0.625', () => {
    const r = sampleRatioMismatch([210, 790], [0.2, 0.8]);
    expectClose(r.pValue, 0.4291953004403492, 1e-8);
  });

  it('flags below 0.001 only', () => {
    expect(SRM_THRESHOLD).toBe(0.001);
    // 50/50 over 10,000 users, d users off: X² = 2d²/5000; p = 0.001 at X² = 10.828
    const off = (d: number) => sampleRatioMismatch([5000 - d, 5000 + d], [0.5, 0.5]);
    expect(off(160).pValue).toBeGreaterThan(0.001); // X² = 10.24, p = 0.00137
    expect(off(160).flagged).toBe(false);
    expect(off(170).pValue).toBeLessThan(0.001); // X² = 11.56, p = 0.00067
    expect(off(170).flagged).toBe(true);
  });

  it('says so, without a p-value, when no user was counted', () => {
    const r = sampleRatioMismatch([0, 0], [0.5, 0.5]);
    expect(r).toEqual({ pValue: null, flagged: false, error: expect.stringMatching(/No users/) });
  });
});
