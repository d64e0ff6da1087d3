import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { LongestRetention } from '../privacy/longest-retention';

/**
 * How long recordings must be kept. Partitions are shared by all projects, so only a month that
 * every project may forget can be dropped: the longest retention among projects decides.
 */
export abstract class RetentionPolicy {
  abstract longestRetentionDays(): Promise<number>;
}

/**
 * The longest retention any project sets, never less than the installation's own floor
 * (`LOUPE_LONGEST_RETENTION_DAYS`, 90 days unless set).
 */
@Injectable()
export class ProjectsRetentionPolicy extends RetentionPolicy {
  constructor(
    @Inject(CONFIG) private readonly config: LoupeConfig,
    private readonly longest: LongestRetention,
  ) {
    super();
  }

  longestRetentionDays(): Promise<number> {
    return this.longest.days(this.config.retention.longestDays);
  }
}
