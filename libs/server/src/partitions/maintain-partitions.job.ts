import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobResults } from '../queue/queue.definitions';
import { PARTITIONED_TABLES, PartitionsRepository, monthOf, nextMonth } from './partitions.repository';
import { RetentionPolicy } from './retention-policy';

/** Months created ahead of the current one: the job may stop for two months before an insert lands in the default partition. */
export const MONTHS_AHEAD = 2;

/**
 * Hourly upkeep of the monthly partitions of `recording_chunk` and `session_event`: the current
 * month and the next ones exist, rows that landed in the DEFAULT partition (the job had stopped, or
 * a session was created outside the months prepared) are moved into their own month, and months that
 * end before the longest retention among projects are dropped whole. Running it twice changes nothing.
 */
@Injectable()
@JobHandler('partitions.maintain')
export class MaintainPartitionsJob implements JobHandlerClass<unknown, JobResults['partitions.maintain']> {
  private readonly log = new Logger('Partitions');

  constructor(
    private readonly partitions: PartitionsRepository,
    private readonly retention: RetentionPolicy,
  ) {}

  handle(): Promise<JobResults['partitions.maintain']> {
    return this.maintain(new Date());
  }

  async maintain(now: Date): Promise<JobResults['partitions.maintain']> {
    const days = await this.retention.longestRetentionDays();
    // Rows whose session began before this day have outlived every project's retention.
    const keepFrom = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
    const current = monthOf(now);
    const ahead = Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => nextMonth(current, i));
    const result: JobResults['partitions.maintain'] = { created: [], moved: 0, dropped: [] };
    for (const table of PARTITIONED_TABLES) {
      const existing = new Set((await this.partitions.partitions(table)).map((p) => p.from));
      const wanted = [...new Set([...(await this.partitions.monthsInDefault(table)), ...ahead])].sort();
      for (const month of wanted) {
        if (existing.has(month)) continue;
        result.moved += await this.partitions.createMonth(table, month);
        result.created.push(`${table} ${month}`);
      }
      for (const p of await this.partitions.partitions(table)) {
        // Only a month that ends on or before the first day kept is entirely past retention.
        if (p.to === null || p.to > keepFrom) continue;
        if (await this.partitions.dropPartition(table, p.name)) result.dropped.push(p.name);
      }
    }
    if (result.created.length || result.dropped.length) {
      this.log.log(`partitions created: ${result.created.join(', ') || 'none'}; rows moved from the default partitions: ${result.moved}; dropped (older than ${days} days): ${result.dropped.join(', ') || 'none'}`);
    }
    return result;
  }
}
