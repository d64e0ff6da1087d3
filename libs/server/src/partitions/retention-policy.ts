import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';

/**
 * How long recordings must be kept. Partitions are shared by all projects, so only a month that
 * every project may forget can be dropped: the longest retention among projects decides.
 */
export abstract class RetentionPolicy {
  abstract longestRetentionDays(): Promise<number>;
}

/** The instance-wide figure from `LOUPE_LONGEST_RETENTION_DAYS` (90 days unless set). */
@Injectable()
export class ConfiguredRetentionPolicy extends RetentionPolicy {
  constructor(@Inject(CONFIG) private readonly config: LoupeConfig) {
    super();
  }

  longestRetentionDays(): Promise<number> {
    return Promise.resolve(this.config.retention.longestDays);
  }
}
