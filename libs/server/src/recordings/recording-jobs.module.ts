import { Module } from '@nestjs/common';
import { AnalysisJobsModule } from '../analysis/analysis-jobs.module';
import { ExposuresRepository } from '../experiments/exposures.repository';
import { ProcessChunkJob } from './process-chunk.job';
import { RecordingsRepository } from './recordings.repository';
import { SweepJob } from './sweep.job';

/** The recording jobs, for whichever process runs workers (a worker, or the api with an inline worker). */
@Module({ imports: [AnalysisJobsModule], providers: [RecordingsRepository, ExposuresRepository, ProcessChunkJob, SweepJob], exports: [SweepJob] })
export class RecordingJobsModule {}
