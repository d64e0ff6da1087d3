import { warnOnce } from '../guard';

const ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Posts one JSON message. As `text/plain` it needs no CORS preflight, and `keepalive` lets it finish
 * when the page closes. Network errors, 408, 429 and 5xx are retried twice (after 1 and 3 s); any
 * other refusal is final and warned about once.
 */
export async function postJson(url: string, body: unknown): Promise<boolean> {
  const text = JSON.stringify(body);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(1000 * 3 ** (attempt - 1));
    try {
      const res = await fetch(url, { method: 'POST', body: text, headers: { 'Content-Type': 'text/plain' }, keepalive: text.length < 60_000, credentials: 'omit', mode: 'cors' });
      if (res.ok) return true;
      if (res.status !== 408 && res.status !== 429 && res.status < 500) {
        warnOnce('feedback refused', `the Loupe server refused feedback (HTTP ${res.status}); check the survey and the key given to Loupe.init().`);
        return false;
      }
    } catch {
      // Unreachable for now: tried again below.
    }
  }
  return false;
}
