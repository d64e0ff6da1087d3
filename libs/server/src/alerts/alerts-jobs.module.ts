import { Module } from '@nestjs/common';
import { AlertsRepository } from './alerts.repository';
import { CheckAlertsJob } from './check-alerts.job';

/** The alert check, for whichever process runs workers; its messages go out as `webhook.deliver` jobs. */
@Module({ providers: [AlertsRepository, CheckAlertsJob] })
export class AlertsJobsModule {}
