import { Injectable, Logger } from '@nestjs/common';
import { QueueService, withTimeout } from '../queue/queue.service';
import { checkWebhookUrl } from './webhook-sender';

/** Six attempts over about a minute: 2, 4, 8, 16 and 32 s apart. */
const ATTEMPTS = 6;
const FIRST_RETRY_MS = 2000;

/**
 * The way features send a webhook: the message is queued (never sent from the request that caused
 * it) and delivered by the `webhook.deliver` job, retried with exponential backoff.
 */
@Injectable()
export class Webhooks {
  private readonly log = new Logger('Webhooks');

  constructor(private readonly queue: QueueService) {}

  /**
   * Queues `body` for `url`. `messageId` names the message (e.g. `feedback.<id>`): queuing the same
   * message again does nothing. A queue that does not answer within a second costs the message, not
   * the request: it is logged.
   */
  async enqueue(url: string, body: unknown, opts: { messageId: string; purpose: string }): Promise<boolean> {
    try {
      checkWebhookUrl(url);
      await withTimeout(
        this.queue.add('webhook.deliver', { url, body, purpose: opts.purpose }, { jobId: `webhook.${opts.messageId}`, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: FIRST_RETRY_MS } }),
        1000,
        'the queue did not answer in time',
      );
      return true;
    } catch (err) {
      this.log.warn(`${opts.purpose} not sent to its webhook (${(err as Error).message})`);
      return false;
    }
  }
}
