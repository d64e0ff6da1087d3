import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import { chunkJobId, JOBS, type JobResults } from '../queue/queue.definitions';
import { QueueService, withTimeout } from '../queue/queue.service';
import { RecordingsRepository } from './recordings.repository';

/** A chunk this old and still unprocessed was missed by the queue (or its job gave up). */
const UNPROCESSED_AFTER_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;
const BATCH = 1000;

/**
 * Nothing accepted is lost: every chunk stored but not processed (the queue was down at ingest, or
 * its job failed for good) is put back on the queue. Jobs keep their chunk's id, so a chunk whose
 * job is still waiting is not queued twice.
 */
@Injectable()
@JobHandler('recording.sweep')
export class SweepJob implements JobHandlerClass<unknown, JobResults['recording.sweep']> {
  private readonly log = new Logger('Sweeper');

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly queue: QueueService,
  ) {}

  async handle(): Promise<JobResults['recording.sweep']> {
    return this.sweep(UNPROCESSED_AFTER_MS);
  }

  async sweep(olderThanMs: number): Promise<JobResults['recording.sweep']> {
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
    return { enqueued };
  }
}

/**
 * Schedules the sweep on the queue itself, so that one run happens per interval however many
 * replicas run. A queue that is down at start must not hold the api up: scheduling is retried in
 * the background until it succeeds.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Sweeper');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly queue: QueueService) {}

  onApplicationBootstrap(): void {
    void this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async schedule(): Promise<void> {
    try {
      await withTimeout(
        this.queue.queue(JOBS['recording.sweep'].queue).upsertJobScheduler('recording.sweep', { every: SWEEP_EVERY_MS }, { name: 'recording.sweep', data: {} }),
        5000,
        'the queue did not answer in time',
      );
    } catch (err) {
      if (this.stopped) return;
      this.log.warn(`could not schedule the sweep yet (${(err as Error).message}); trying again in 30 s`);
      this.timer = setTimeout(() => void this.schedule(), 30_000);
    }
  }
}
