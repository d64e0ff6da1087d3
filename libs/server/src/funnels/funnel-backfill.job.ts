import { Injectable } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';
import { FunnelMatchingService } from './funnel-matching.service';
import { FunnelsRepository } from './funnels.repository';

/** Sessions matched per transaction: small enough to keep each one short. */
const PAGE = 500;

/**
 * Matches every stored session of a project against a funnel just created or edited, then marks
 * the funnel ready. A job for an older version of the funnel stops without doing anything.
 */
@Injectable()
@JobHandler('funnel.backfill')
export class FunnelBackfillJob implements JobHandlerClass<JobPayloads['funnel.backfill'], JobResults['funnel.backfill']> {
  constructor(
    private readonly funnels: FunnelsRepository,
    private readonly matching: FunnelMatchingService,
  ) {}

  async handle(p: JobPayloads['funnel.backfill']): Promise<JobResults['funnel.backfill']> {
    let sessions = 0;
    let after: string | null = null;
    for (;;) {
      const funnel = await this.funnels.get(p.projectId, p.funnelId);
      if (!funnel || funnel.version !== p.version) return { sessions, skipped: 'the funnel was deleted or edited meanwhile' };
      const ids = await this.funnels.sessionIdsAfter(p.projectId, after, PAGE);
      if (!ids.length) break;
      await this.matching.refreshSessions(p.projectId, ids, funnel);
      sessions += ids.length;
      after = ids[ids.length - 1]!;
    }
    await this.funnels.markReady(p.funnelId, p.version);
    return { sessions };
  }
}
