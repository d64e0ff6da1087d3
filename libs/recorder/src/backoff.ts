export type Outcome = 'ok' | 'drop' | 'retry';

/**
 * What an answer of the ingest endpoint means for the batch: 2xx accepted; 408, 429 and 5xx may pass
 * later; any other 4xx will never pass, so the batch is dropped rather than retried forever.
 */
export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 400 && status < 500) return 'drop';
  return 'retry';
}

/**
 * Delay before retry number `failures` (1 for the first retry): doubling from `baseMs` up to `maxMs`,
 * with "equal jitter" (half fixed, half random) so the visitors of a recovering server do not all
 * return in the same second, yet no retry comes immediately.
 */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
