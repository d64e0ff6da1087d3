import { Module } from '@nestjs/common';
import { MaintainPartitionsJob } from './maintain-partitions.job';
import { PartitionsRepository } from './partitions.repository';
import { ConfiguredRetentionPolicy, RetentionPolicy } from './retention-policy';

/** The upkeep of the time partitions, for whichever process runs workers. */
@Module({ providers: [PartitionsRepository, MaintainPartitionsJob, { provide: RetentionPolicy, useClass: ConfiguredRetentionPolicy }], exports: [MaintainPartitionsJob] })
export class PartitionsJobsModule {}
