import { describe, expect, it } from 'vitest';
import { assignVariant, bucketOf, variantFor } from './experiments';
import { memoryStore } from './storage';

/** Written down once: a change of the hash would move every visitor of running experiments. */
const BUCKET_OF_CHECKOUT_V1 = 0.7401689088437706;

const ids = (n: number) => Array.from({ length: n }, (_, i) => `visitor-${i.toString(36)}-${(i * 7919).toString(16)}`);

describe('assigning variants by hash', () => {
  it('gives the same bucket for the same key and visitor, and different ones across keys', () => {
    expect(bucketOf('checkout', 'v-1')).toBe(bucketOf('checkout', 'v-1'));
    expect(bucketOf('checkout', 'v-1')).toBe(BUCKET_OF_CHECKOUT_V1);
    expect(bucketOf('checkout', 'v-1')).not.toBe(bucketOf('pricing', 'v-1'));
    for (const id of ids(1000)) {
      const b = bucketOf('checkout', id);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(1);
    }
  });

  it('honours the weights: 100,000 visitors split 20/30/50 pass a chi-square test', () => {
    const experiment = {
      key: 'hero-banner',
      variants: [
        { key: 'control', weight: 0.2 },
        { key: 'b', weight: 0.3 },
        { key: 'c', weight: 0.5 },
      ],
    };
    const counts: Record<string, number> = { control: 0, b: 0, c: 0 };
    const n = 100_000;
    for (const id of ids(n)) counts[assignVariant(experiment, id)!]!++;
    const stat = experiment.variants.reduce((s, v) => s + (counts[v.key]! - n * v.weight) ** 2 / (n * v.weight), 0);
    // With 2 degrees of freedom the chi-square tail is exp(−x/2): p > 0.001, the threshold of Loupe's own split check.
    expect(Math.exp(-stat / 2)).toBeGreaterThan(0.001);
    expect(Math.abs(counts['c']! / n - 0.5)).toBeLessThan(0.01);
  });

  it('gives visitors independent buckets in two experiments', () => {
    const both = { a: 0, n: 0 };
    for (const id of ids(20_000)) {
      const x = bucketOf('one', id) < 0.5;
      const y = bucketOf('two', id) < 0.5;
      if (x) both.n++;
      if (x && y) both.a++;
    }
    expect(Math.abs(both.a / both.n - 0.5)).toBeLessThan(0.02);
  });

  it('keeps a visitor on their variant when weights change, and answers null for an experiment that is not running', () => {
    const store = memoryStore();
    const config = (weights: [number, number]) => ({
      v: 1 as const,
      experiments: { experiments: [{ key: 'exp', variants: [{ key: 'control', weight: weights[0] }, { key: 'b', weight: weights[1] }] }] },
    });
    const first = variantFor(config([0.5, 0.5]), 'exp', 'visitor-42', store);
    expect(first === 'control' || first === 'b').toBe(true);
    const other = first === 'control' ? [0.01, 0.99] : [0.99, 0.01];
    expect(variantFor(config(other as [number, number]), 'exp', 'visitor-42', store)).toBe(first);
    expect(variantFor(config([0.5, 0.5]), 'missing', 'visitor-42', store)).toBeNull();
    // Configuration unreachable: the variant kept is used.
    expect(variantFor({ v: 1 }, 'exp', 'visitor-42', store)).toBe(first);
    expect(variantFor({ v: 1 }, 'exp', 'visitor-43', memoryStore())).toBeNull();
  });

  it('refuses nothing odd: no variants, zero weights', () => {
    expect(assignVariant({ key: 'x', variants: [] }, 'v')).toBeNull();
    expect(assignVariant({ key: 'x', variants: [{ key: 'a', weight: 0 }] }, 'v')).toBeNull();
    expect(assignVariant({ key: 'x', variants: [{ key: 'a', weight: 0 }, { key: 'b', weight: 1 }] }, 'v')).toBe('b');
  });
});
