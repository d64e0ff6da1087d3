import type { SdkConfig } from '@loupe/contracts/recording';
import type { KeyValueStore } from './storage';

/** Kept per tab this long, so that browsing a site asks the server once every few minutes, not on every page. */
export const REMOTE_CONFIG_TTL_MS = 5 * 60_000;
/** A page waits at most this long for the server's answer before going on with what it has. */
export const REMOTE_CONFIG_TIMEOUT_MS = 2_000;

const EMPTY: SdkConfig = { v: 1 };

interface Cached {
  at: number;
  config: SdkConfig;
}

const cacheKey = (key: string) => `loupe.config.${key}`;

function readCache(store: KeyValueStore, key: string): Cached | null {
  try {
    const cached = JSON.parse(store.get(cacheKey(key)) ?? 'null') as Cached | null;
    return cached && typeof cached.at === 'number' && cached.config?.v === 1 ? cached : null;
  } catch {
    return null;
  }
}

/**
 * The project's SDK configuration: from this tab's cache while fresh, else from the server; when the
 * server cannot be reached in time, the stale copy or an empty configuration. Never rejects.
 */
export async function loadRemoteConfig(
  o: { endpoint: string; key: string },
  store: KeyValueStore,
  now: number,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = REMOTE_CONFIG_TIMEOUT_MS,
): Promise<SdkConfig> {
  const cached = readCache(store, o.key);
  if (cached && now - cached.at < REMOTE_CONFIG_TTL_MS && now >= cached.at) return cached.config;
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = setTimeout(() => abort?.abort(), timeoutMs);
  try {
    const res = await fetchImpl(`${o.endpoint}/v1/config?key=${encodeURIComponent(o.key)}`, { credentials: 'omit', signal: abort?.signal });
    if (!res.ok) return cached?.config ?? EMPTY;
    const config = (await res.json()) as SdkConfig;
    if (!config || config.v !== 1) return cached?.config ?? EMPTY;
    store.set(cacheKey(o.key), JSON.stringify({ at: now, config } satisfies Cached));
    return config;
  } catch {
    return cached?.config ?? EMPTY;
  } finally {
    clearTimeout(timer);
  }
}
