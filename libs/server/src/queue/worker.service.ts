import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { JOB_HANDLER, type JobHandlerClass } from './job-handler';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { JOBS, jobsOf, type JobName, type QueueName } from './queue.definitions';
import { QUEUE_CONNECTION } from './queue.service';
import type { QueueConnection } from './queue-connection';

/**
 * Starts one BullMQ worker for each queue this process takes (`LOUPE_WORKER_QUEUES`, every queue
 * by default) and routes each job to its handler class.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Worker');
  private readonly workers: Worker[] = [];
  private handlers = new Map<JobName, JobHandlerClass>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection,
    @Inject(CONFIG) private readonly config: LoupeConfig,
    @Optional() @Inject(MetricsService) private readonly metrics: MetricsService | undefined,
  ) {}

  get queues(): readonly QueueName[] {
    return this.config.workerQueues;
  }

  onApplicationBootstrap(): void {
    this.handlers = collectHandlers(this.discovery, this.queues);
    for (const queue of this.queues) this.workers.push(this.start(queue));
    this.log.log(`processing queues ${this.queues.join(', ')} on ${this.connection.backend}`);
  }

  private start(queue: QueueName): Worker {
    const worker = this.connection.createWorker(queue, (job: Job, token?: string) => this.dispatch(job, token), { concurrency: 4, lockMs: this.config.jobLockMs });
    worker.on('failed', (job, err) => this.log.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`));
    worker.on('error', (err) => this.log.error(`worker for ${queue}: ${err.message}`));
    return worker;
  }

  private async dispatch(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    const started = Date.now();
    const queue = JOBS[job.name as JobName].queue;
    // The lag of a first attempt: from the moment the job was due to now. Retries wait on purpose.
    if (job.attemptsMade === 0) this.metrics?.jobWait.observe({ queue }, Math.max(0, started - job.timestamp - (job.opts.delay ?? 0)) / 1000);
    try {
      const result = await handler.handle(job.data, job, token);
      this.metrics?.jobRan(queue, job.name, 'completed', (Date.now() - started) / 1000);
      return result;
    } catch (err) {
      // A job that moved itself back to delayed (a visit not over yet) did not fail.
      if ((err as Error).name !== 'DelayedError') this.metrics?.jobRan(queue, job.name, 'failed', (Date.now() - started) / 1000);
      throw err;
    }
  }

  /**
   * Lets in-flight jobs finish; unfinished ones go back to the queue for another worker. Before the
   * shutdown hooks, because QueueService's closes the connections these jobs report back on.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
  }
}

/**
 * The handler of every job of `queues`, or an error naming each job without one (or with two).
 * Handlers of other queues' jobs may be present: a worker loads every job module.
 */
export function collectHandlers(discovery: DiscoveryService, queues: readonly QueueName[]): Map<JobName, JobHandlerClass> {
  const found = new Map<JobName, JobHandlerClass[]>();
  for (const wrapper of discovery.getProviders()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const name = Reflect.getMetadata(JOB_HANDLER, metatype) as JobName | undefined;
    if (!name) continue;
    found.set(name, [...(found.get(name) ?? []), instance as JobHandlerClass]);
  }
  const problems: string[] = [];
  for (const name of jobsOf(queues)) {
    const list = found.get(name) ?? [];
    if (list.length === 0) problems.push(`job ${name} has no handler`);
    if (list.length > 1) problems.push(`job ${name} has ${list.length} handlers`);
  }
  for (const name of found.keys()) if (!(name in JOBS)) problems.push(`handler for unknown job ${name}`);
  if (problems.length) throw new Error(`The worker cannot start: ${problems.join('; ')}.`);
  return new Map([...found].map(([k, v]) => [k, v[0]!]));
}
