import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';

/** A receiver that has not answered by then is treated as down, and the delivery tried again later. */
const TIMEOUT_MS = 5000;

/** The message a chat tool shows: Slack's incoming-webhook format, which Mattermost, Rocket.Chat and others take too. */
export interface ChatMessage {
  text: string;
  blocks?: unknown[];
}

/** Loopback, private, link-local and unique-local ranges, IPv4 and IPv6. */
function isPrivate(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivate(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

/** Sends JSON to a project's webhook. Throws with a reason a person can act on, so the job retries and logs it. */
@Injectable()
export class WebhookSender {
  constructor(@Inject(CONFIG) private readonly config: LoupeConfig) {}

  async send(url: string, message: ChatMessage): Promise<number> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error(`the webhook ${target.protocol} URL is not http(s)`);
    if (!this.config.webhooks.allowPrivateAddresses) {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
      if (addresses.some(isPrivate)) throw new Error(`the webhook host ${target.hostname} is on a private network; set LOUPE_WEBHOOKS_ALLOW_PRIVATE=true to allow it`);
    }
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Loupe' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
    return res.status;
  }
}

/** Delivers one message to a webhook, retried with backoff by the queue; never sent from a request. */
@Injectable()
@JobHandler('webhook.deliver')
export class DeliverWebhookJob implements JobHandlerClass<JobPayloads['webhook.deliver'], JobResults['webhook.deliver']> {
  constructor(private readonly sender: WebhookSender) {}

  async handle(p: JobPayloads['webhook.deliver']): Promise<JobResults['webhook.deliver']> {
    return { status: await this.sender.send(p.url, p.message) };
  }
}
