import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { JOBS, type JobName } from './queue.definitions';
import { QueueService, withTimeout } from './queue.service';

/**
 * Jobs run on a fixed interval or at a fixed time of day (a cron pattern, UTC), whatever the number
 * of processes. A daily job has a time of day rather than an interval: an interval's first run comes
 * at every start, and a deletion should run at a quiet hour, not whenever a replica restarts.
 */
export const recurringJobs = (sweepIntervalMs: number): ReadonlyArray<{ name: JobName; everyMs: number } | { name: JobName; pattern: string }> => [
  { name: 'recording.sweep', everyMs: sweepIntervalMs },
  { name: 'feedback.forward-missed', everyMs: sweepIntervalMs },
  { name: 'alerts.check', everyMs: 5 * 60_000 },
  // Hourly is far more often than months turn; it keeps two months ready ahead.
  { name: 'partitions.maintain', everyMs: 60 * 60_000 },
  { name: 'retention.apply', pattern: '17 3 * * *' },
];

/**
 * Schedules the recurring jobs on the queue itself, so that one run happens per interval however
 * many replicas run. A queue that is down at start must not hold the api up: scheduling is retried
 * in the background until it succeeds. It is then done again every sweep interval (an upsert, so it
 * changes nothing while the schedules are there): a Redis restarted without its data has lost them,
 * and without the sweep the chunks stored while it was down would never be processed.
 */
@Injectable()
export class RecurringJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly queue: QueueService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async schedule(): Promise<void> {
    try {
      for (const job of recurringJobs(this.config.sweepIntervalMs)) {
        await withTimeout(
          this.queue.queue(JOBS[job.name].queue).upsertJobScheduler(job.name, 'everyMs' in job ? { every: job.everyMs } : { pattern: job.pattern, tz: 'UTC' }, { name: job.name, data: {} }),
          5000,
          'the queue did not answer in time',
        );
      }
      if (!this.stopped) this.timer = setTimeout(() => void this.schedule(), this.config.sweepIntervalMs);
    } catch (err) {
      if (this.stopped) return;
      const retryMs = Math.min(30_000, this.config.sweepIntervalMs);
      this.log.warn(`could not schedule the recurring jobs yet (${(err as Error).message}); trying again in ${retryMs / 1000} s`);
      this.timer = setTimeout(() => void this.schedule(), retryMs);
    }
  }
}
