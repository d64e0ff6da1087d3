import { Module } from '@nestjs/common';
import { MaintainPartitionsJob } from './maintain-partitions.job';
import { PartitionsRepository } from './partitions.repository';
import { LongestRetention } from '../privacy/longest-retention';
import { ProjectsRetentionPolicy, RetentionPolicy } from './retention-policy';

/** The upkeep of the time partitions, for whichever process runs workers. */
@Module({ providers: [PartitionsRepository, MaintainPartitionsJob, LongestRetention, { provide: RetentionPolicy, useClass: ProjectsRetentionPolicy }], exports: [MaintainPartitionsJob] })
export class PartitionsJobsModule {}
