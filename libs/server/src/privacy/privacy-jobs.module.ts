import { Module } from '@nestjs/common';
import { LongestRetention } from './longest-retention';
import { RetentionJob } from './retention.job';

/** The daily retention run, and the longest retention among projects for shared storage, for whichever process runs workers. */
@Module({ providers: [RetentionJob, LongestRetention], exports: [LongestRetention] })
export class PrivacyJobsModule {}
