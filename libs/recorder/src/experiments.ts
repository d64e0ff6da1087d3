import { assignVariant, type SdkConfig, type SdkExperiment } from '@loupe/contracts/recording';
import type { KeyValueStore } from './storage';

export { assignVariant, bucketOf } from '@loupe/contracts/recording';

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
