import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { JOBS, RETIRED_SCHEDULES, type JobName, type JobPayloads, type QueueName } from './queue.definitions';
import type { QueueConnection } from './queue-connection';

export const QUEUE_CONNECTION = Symbol('QueueConnection');

/** The one way Loupe code puts work on a queue. */
@Injectable()
export class QueueService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly log = new Logger('Queue');

  constructor(@Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection) {}

  get backend() {
    return this.connection.backend;
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = this.connection.createQueue(name);
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds a job; a `jobId` makes the add idempotent (BullMQ ignores a second job with the same id). */
  async add<N extends JobName>(name: N, payload: JobPayloads[N], opts: JobsOptions = {}): Promise<Job> {
    return this.queue(JOBS[name].queue).add(name, payload, {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...opts,
    });
  }

  /** Answers within `timeoutMs` whether the backend takes commands. */
  async ping(timeoutMs = 2000): Promise<void> {
    const q = this.queue('system');
    await withTimeout(q.getJobCounts('waiting'), timeoutMs, 'the queue did not answer in time');
  }

  /** Removes schedules that moved to another queue; a queue that does not answer is not waited for. */
  onApplicationBootstrap(): void {
    for (const { queue, id } of RETIRED_SCHEDULES) {
      void withTimeout(this.queue(queue).removeJobScheduler(id), 5000, 'the queue did not answer in time').then(
        (removed) => removed && this.log.log(`removed the schedule ${id} from the ${queue} queue, where it no longer belongs`),
        () => undefined,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.connection.close();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
