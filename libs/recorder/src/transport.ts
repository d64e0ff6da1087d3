import { classifyStatus, parseRetryAfter } from './backoff';
import type { PostResult } from './sender';

const TIMEOUT_MS = 30_000;

/** One POST of a compressed batch; network errors and time-outs are answers to retry, not throws. */
export async function postBatch(url: string, body: Uint8Array, keepalive: boolean): Promise<PostResult> {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = setTimeout(() => controller?.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: 'POST',
      body: body as Uint8Array<ArrayBuffer>,
      keepalive,
      // The body is gzip, not a format a browser would send unasked; the server answers the preflight.
      headers: { 'Content-Type': 'application/octet-stream' },
      credentials: 'omit',
      mode: 'cors',
      signal: controller?.signal,
    });
    return { outcome: classifyStatus(res.status), status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('Retry-After'), Date.now()) };
  } catch {
    return { outcome: 'retry' };
  } finally {
    clearTimeout(timer);
  }
}

/** A beacon cannot wait for a CORS preflight, so its body goes as `text/plain`, a type that needs none. */
export function beaconBatch(url: string, body: Uint8Array): boolean {
  try {
    return typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, new Blob([body as Uint8Array<ArrayBuffer>], { type: 'text/plain' }));
  } catch {
    return false;
  }
}
