import { Module } from '@nestjs/common';
import { WebhookSender } from './webhook-sender';
import { WebhookJob } from './webhook.job';
import { Webhooks } from './webhooks';

/** Messages to other systems: webhooks now. The api queues them, workers deliver them. */
@Module({ providers: [WebhookSender, WebhookJob, Webhooks], exports: [Webhooks, WebhookSender] })
export class IntegrationsModule {}
