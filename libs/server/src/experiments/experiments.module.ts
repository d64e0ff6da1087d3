import { Module } from '@nestjs/common';
import { FeedbackModule } from '../feedback/feedback.module';
import { ExperimentMetricsRepository } from './experiment-metrics.repository';
import { ExperimentsSdkConfigSection } from './experiments-sdk-config';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsRepository } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { MetricSources } from './metric-sources';

/** Experiments: definitions, the SDK's assignment config, metrics from stored events, results, and the engine on summary statistics. */
@Module({
  imports: [FeedbackModule],
  controllers: [ExperimentsController],
  providers: [ExperimentsService, ExperimentsRepository, ExperimentMetricsRepository, MetricSources, ExperimentsSdkConfigSection],
})
export class ExperimentsModule {}
