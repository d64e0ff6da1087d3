import { Injectable } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';
import { WebhookSender } from './webhook-sender';

type Payload = JobPayloads['webhook.deliver'];

/**
 * Delivers one webhook message. A webhook cannot be asked whether it already got a message, so a
 * delivery whose answer was lost may arrive twice; the job id (one per message) keeps it from being
 * queued twice.
 */
@Injectable()
@JobHandler('webhook.deliver')
export class WebhookJob implements JobHandlerClass<Payload, JobResults['webhook.deliver']> {
  constructor(private readonly sender: WebhookSender) {}

  handle(payload: Payload): Promise<JobResults['webhook.deliver']> {
    return this.sender.send(payload.url, payload.body);
  }
}
