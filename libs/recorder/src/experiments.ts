import type { SdkConfig, SdkExperiment } from '@loupe/contracts/recording';
import type { KeyValueStore } from './storage';

/**
 * A number in [0, 1) from the experiment key and the visitor id: FNV-1a over the UTF-16 code units,
 * then MurmurHash3's finalizer so that ids differing in their last characters spread over the whole
 * range. The same inputs give the same number in every browser, so a visitor keeps their variant.
 */
export function bucketOf(experimentKey: string, visitorId: string): number {
  const text = `${experimentKey}\u0000${visitorId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The variant whose share of [0, 1) holds the visitor's bucket; weights are taken relative to their sum. */
export function assignVariant(experiment: SdkExperiment, visitorId: string): string | null {
  const variants = experiment.variants.filter((v) => typeof v.key === 'string' && v.weight > 0);
  const total = variants.reduce((s, v) => s + v.weight, 0);
  if (!variants.length || !(total > 0)) return null;
  const point = bucketOf(experiment.key, visitorId) * total;
  let edge = 0;
  for (const v of variants) {
    edge += v.weight;
    if (point < edge) return v.key;
  }
  return variants[variants.length - 1]!.key;
}

const STORE_KEY = 'loupe.variants';

function stored(store: KeyValueStore): Record<string, string> {
  try {
    const value = JSON.parse(store.get(STORE_KEY) ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The visitor's variant of a running experiment. A variant once given is kept (in the visitor's
 * storage) while the experiment has it, so that changing weights mid-way moves no one; when the
 * configuration could not be fetched, the kept variant is used. Null for an experiment that is not
 * running: the page shows its default.
 */
export function variantFor(config: SdkConfig, key: string, visitorId: string, store: KeyValueStore): string | null {
  const kept = stored(store);
  const section = config['experiments'] as { experiments?: SdkExperiment[] } | undefined;
  if (!section || !Array.isArray(section.experiments)) return typeof kept[key] === 'string' ? kept[key]! : null;
  const experiment = section.experiments.find((e) => e.key === key);
  if (!experiment) return null;
  const previous = kept[key];
  const variant = previous && experiment.variants.some((v) => v.key === previous) ? previous : assignVariant(experiment, visitorId);
  if (variant && variant !== previous) store.set(STORE_KEY, JSON.stringify({ ...kept, [key]: variant }));
  return variant;
}
