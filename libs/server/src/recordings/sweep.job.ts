import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import { SessionAnalysisRepository } from '../analysis/session-analysis.repository';
import { FunnelsRepository } from '../funnels/funnels.repository';
import { chunkJobId, endDedupId, funnelBackfillJobId, type JobResults } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { analyseJobOptions } from './process-chunk.job';
import { RecordingsRepository } from './recordings.repository';

/**
 * A chunk older than one sweep interval (`LOUPE_SWEEP_INTERVAL_SECONDS`) and still unprocessed was
 * missed by the queue (or its job gave up); so was a session whose facts changed that long ago
 * without an analysis since.
 */
const UNANALYSED_AFTER_MS = 60_000;
/** An open visit quiet for this long should have been closed (30 minutes, and some slack). */
const UNENDED_AFTER_MS = 35 * 60_000;
const BATCH = 1000;
/** A funnel still not matched against stored sessions this long after its last change lost its backfill. */
const UNMATCHED_FUNNEL_AFTER_MS = 10 * 60_000;

/**
 * Nothing accepted is lost: every chunk stored but not processed (the queue was down at ingest, or
 * its job failed for good) is put back on the queue. Jobs keep their chunk's id, so a chunk whose
 * job is still waiting is not queued twice. Sessions whose analysis or end of visit was missed the
 * same way get theirs.
 */
@Injectable()
@JobHandler('recording.sweep')
export class SweepJob implements JobHandlerClass<unknown, JobResults['recording.sweep']> {
  private readonly log = new Logger('Sweeper');

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly sessions: SessionAnalysisRepository,
    private readonly queue: QueueService,
    private readonly funnels: FunnelsRepository,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  async handle(): Promise<JobResults['recording.sweep']> {
    return this.sweep(this.config.sweepIntervalMs, this.config.sweepIntervalMs, UNENDED_AFTER_MS);
  }

  async sweep(olderThanMs: number, unanalysedAfterMs = UNANALYSED_AFTER_MS, unendedAfterMs = UNENDED_AFTER_MS): Promise<JobResults['recording.sweep']> {
    const missed = await this.recordings.unprocessedChunks(olderThanMs, BATCH);
    let enqueued = 0;
    const queue = this.queue.queue('recordings');
    for (const key of missed) {
      const jobId = chunkJobId(key);
      const existing = await queue.getJob(jobId);
      const state = existing ? await existing.getState() : 'missing';
      if (state === 'failed' || state === 'completed') await existing!.remove().catch(() => undefined);
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
      await this.queue.add('recording.process-chunk', key, { jobId });
      enqueued++;
    }
    if (enqueued) this.log.log(`re-enqueued ${enqueued} unprocessed chunk(s)`);
    // Deduplication keeps these from doubling a job that is still waiting.
    const analyses = await this.sessions.missedAnalyses(unanalysedAfterMs, BATCH);
    for (const key of analyses) await this.queue.add('session.analyse', key, analyseJobOptions(key));
    const ends = await this.sessions.missedEnds(unendedAfterMs, BATCH);
    for (const key of ends) await this.queue.add('session.end', key, { deduplication: { id: endDedupId(key), reschedule: true }, removeOnComplete: true });
    if (analyses.length || ends.length) this.log.log(`asked for ${analyses.length} missed analyses and ${ends.length} missed ends of visits`);
    const unmatched = await this.funnels.unmatched(UNMATCHED_FUNNEL_AFTER_MS, BATCH);
    for (const f of unmatched) {
      const jobId = funnelBackfillJobId(f);
      const existing = await this.queue.queue('analysis').getJob(jobId);
      const state = existing ? await existing.getState() : 'missing';
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') continue;
      if (existing) await existing.remove().catch(() => undefined);
      await this.queue.add('funnel.backfill', f, { jobId, removeOnComplete: true });
      this.log.log(`asked again to match stored sessions against funnel ${f.funnelId}`);
    }
    return { enqueued, analyses: analyses.length, ends: ends.length };
  }
}
