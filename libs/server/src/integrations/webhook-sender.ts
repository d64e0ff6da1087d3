import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';

/** How long one delivery may take before it counts as failed (and is retried). */
export const WEBHOOK_TIMEOUT_MS = 5000;

/** A webhook URL Loupe will post to: http or https, nothing else (no file:, no data:, no gopher:). */
export function checkWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnrecoverableError('The webhook URL is not a URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UnrecoverableError(`The webhook URL must be http or https, not ${parsed.protocol.replace(/:$/, '')}.`);
  return parsed;
}

/**
 * Posts JSON to a webhook. Answers that a retry may fix (a timeout, a network error, 408, 429, 5xx)
 * throw a plain error, so the job is retried with backoff; answers that it cannot (another 4xx, a
 * redirect, a URL that is not http(s)) throw `UnrecoverableError`, which stops the retries.
 */
@Injectable()
export class WebhookSender {
  async send(url: string, body: unknown, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<{ status: number }> {
    const target = checkWebhookUrl(url);
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Loupe-Webhook/1' },
        body: JSON.stringify(body),
        // A redirect could lead anywhere; a webhook that moved must be configured again.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      throw new Error(e.name === 'TimeoutError' ? `the webhook did not answer within ${timeoutMs} ms` : `the webhook could not be reached: ${e.message}`, { cause: err });
    }
    // The body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { status: res.status };
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(`the webhook answered ${res.status}`);
    throw new UnrecoverableError(`the webhook answered ${res.status}; check its URL in the project's integrations settings`);
  }
}
