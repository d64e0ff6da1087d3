import { Module } from '@nestjs/common';
import { DeliverWebhookJob, WebhookSender } from './webhook';

/**
 * Messages to other systems: the `webhook.deliver` job and its sender, for whichever process runs
 * workers. Features queue a message (`QueueService.add('webhook.deliver', …)`); they never send one
 * from a request.
 */
@Module({ providers: [WebhookSender, DeliverWebhookJob], exports: [WebhookSender] })
export class IntegrationsModule {}
