import { Module } from '@nestjs/common';
import { DeliverWebhookJob, WebhookSender } from '../integrations/webhook';
import { AlertsRepository } from './alerts.repository';
import { CheckAlertsJob } from './check-alerts.job';

/** The alert check and the webhook delivery, for whichever process runs workers. */
@Module({ providers: [AlertsRepository, CheckAlertsJob, WebhookSender, DeliverWebhookJob] })
export class AlertsJobsModule {}
