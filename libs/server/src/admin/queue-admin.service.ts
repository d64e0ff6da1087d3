import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { FailedJob, FailedJobList, FailedJobsQuery, QueueList, RetriedJobs } from '@loupe/contracts';
import { QUEUE_DESCRIPTIONS, QUEUES, type QueueName } from '../queue/queue.definitions';
import { QueueService, withTimeout } from '../queue/queue.service';

const COUNTED = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;
const ANSWER_WITHIN_MS = 5000;

/**
 * What instance administrators see of the queues and do with failed jobs. Callers have passed
 * `InstanceAdminGuard`; the queues hold every organization's jobs.
 */
@Injectable()
export class QueueAdminService {
  constructor(private readonly queues: QueueService) {}

  async list(): Promise<QueueList> {
    const queues = await Promise.all(
      QUEUES.map(async (name) => {
        const counts = await this.answer(this.queues.queue(name).getJobCounts(...COUNTED));
        return { name, description: QUEUE_DESCRIPTIONS[name], counts: Object.fromEntries(COUNTED.map((s) => [s, counts[s] ?? 0])) as Record<(typeof COUNTED)[number], number> };
      }),
    );
    return { queues };
  }

  async failed(name: string, q: FailedJobsQuery): Promise<FailedJobList> {
    const queue = this.queues.queue(known(name));
    const [total, jobs] = await Promise.all([this.answer(queue.getFailedCount()), this.answer(queue.getFailed(q.offset, q.offset + q.limit - 1))]);
    return { queue: known(name), total, jobs: jobs.filter(Boolean).map(describeFailed) };
  }

  async retry(name: string, jobId: string): Promise<RetriedJobs> {
    const queue = this.queues.queue(known(name));
    const job = await this.answer(queue.getJob(jobId));
    if (!job) throw new NotFoundException(`The ${name} queue has no job ${jobId}: it may have been retried or removed meanwhile. Reload the list.`);
    const state = await this.answer(job.getState());
    if (state !== 'failed') throw new ConflictException(`Job ${jobId} is ${state}, not failed: only failed jobs can be retried.`);
    await this.answer(job.retry('failed'));
    return { retried: 1 };
  }

  async retryAll(name: string): Promise<RetriedJobs> {
    const queue = this.queues.queue(known(name));
    const failed = await this.answer(queue.getFailedCount());
    if (failed > 0) await this.answer(queue.retryJobs({ state: 'failed' }));
    return { retried: failed };
  }

  private answer<T>(p: Promise<T>): Promise<T> {
    return withTimeout(p, ANSWER_WITHIN_MS, 'The queue did not answer within 5 s. Check that Redis (or PostgreSQL, for the queue in the database) is running, then try again.');
  }
}

function known(name: string): QueueName {
  if ((QUEUES as readonly string[]).includes(name)) return name as QueueName;
  throw new NotFoundException(`There is no queue named "${name}". The queues are ${QUEUES.join(', ')}.`);
}

function describeFailed(job: Job): FailedJob {
  return {
    id: String(job.id),
    name: job.name,
    error: job.failedReason || 'The job failed without a message.',
    attempts: job.attemptsMade,
    addedAt: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    data: job.data,
  };
}
