import { Module, type DynamicModule } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AlertsJobsModule } from '../alerts/alerts-jobs.module';
import { FeedbackJobsModule } from '../feedback/answer-forwarding';
import { AnalysisJobsModule } from '../analysis/analysis-jobs.module';
import { AdminModule } from '../admin/admin.module';
import { AuthModule } from '../auth/auth.module';
import { ConfigModule } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { DatabaseModule } from '../database/database.module';
import { DemoModule } from '../demo/demo.module';
import { EngagementModule } from '../engagement/engagement.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { FeedbackModule } from '../feedback/feedback.module';
import { FunnelsModule } from '../funnels/funnels.module';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RecordingJobsModule } from '../recordings/recording-jobs.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { PagesModule } from '../pages/pages.module';
import { PartitionsJobsModule } from '../partitions/partitions-jobs.module';
import { HeatmapsModule } from '../heatmaps/heatmaps.module';
import { PrivacyJobsModule } from '../privacy/privacy-jobs.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ProjectsModule } from '../projects/projects.module';
import { QueueModule } from '../queue/queue.module';
import { SdkConfigModule } from '../sdk-config/sdk-config.module';
import { SetupModule } from '../setup/setup.module';
import { SystemModule } from '../system/system.module';
import type { Platform } from './platform';

/** The modules that hold jobs' handlers; a worker process and an api with an inline worker load them. */
export const JOB_MODULES = [SystemModule, RecordingJobsModule, AnalysisJobsModule, AlertsJobsModule, FeedbackJobsModule, IntegrationsModule, PartitionsJobsModule, PrivacyJobsModule];

@Module({})
export class ApiModule {
  static forPlatform(config: LoupeConfig, platform: Platform): DynamicModule {
    const runWorkers = config.runWorkerInApi;
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forDataSource(platform.dataSource),
        QueueModule.forConnection(platform.queue, { runWorkers }),
        MetricsModule.register({ http: true }),
        AuthModule,
        ProjectsModule,
        AccountsModule,
        HealthModule,
        IngestModule,
        SdkConfigModule,
        RecordingsModule,
        PagesModule,
        FunnelsModule,
        EngagementModule,
        HeatmapsModule,
        ExperimentsModule,
        FeedbackModule,
        PrivacyModule,
        SetupModule,
        AdminModule,
        ...(config.demo ? [DemoModule] : []),
        ...(runWorkers ? JOB_MODULES : []),
      ],
    };
  }
}

@Module({})
export class WorkerModule {
  static forPlatform(config: LoupeConfig, platform: Platform): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forDataSource(platform.dataSource),
        QueueModule.forConnection(platform.queue, { runWorkers: true }),
        MetricsModule.register({ http: false }),
        HealthModule,
        ...JOB_MODULES,
      ],
    };
  }
}
