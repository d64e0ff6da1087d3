import { Module } from '@nestjs/common';
import { FunnelBackfillJob } from '../funnels/funnel-backfill.job';
import { FunnelMatchingService } from '../funnels/funnel-matching.service';
import { FunnelsRepository } from '../funnels/funnels.repository';
import { ProjectsCoreModule } from '../projects/projects.module';
import { RecordingsRepository } from '../recordings/recordings.repository';
import { AnalyseSessionJob } from './analyse-session.job';
import { EndSessionJob } from './end-session.job';
import { SessionAnalysisRepository } from './session-analysis.repository';
import { SessionAnalysisService } from './session-analysis.service';

/** The session analysis jobs, for whichever process runs workers. */
@Module({
  imports: [ProjectsCoreModule],
  providers: [SessionAnalysisRepository, SessionAnalysisService, RecordingsRepository, AnalyseSessionJob, EndSessionJob, FunnelsRepository, FunnelMatchingService, FunnelBackfillJob],
  exports: [SessionAnalysisRepository, FunnelsRepository],
})
export class AnalysisJobsModule {}
