import { Module } from '@nestjs/common';
import { RetentionJob } from './retention.job';

/** The daily retention run, for whichever process runs workers. */
@Module({ providers: [RetentionJob] })
export class PrivacyJobsModule {}
