import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { JOB_HANDLER, type JobHandlerClass } from './job-handler';
import { JOBS, QUEUES, type JobName, type QueueName } from './queue.definitions';
import { QUEUE_CONNECTION } from './queue.service';
import type { QueueConnection } from './queue-connection';

/** Starts one BullMQ worker per queue and routes each job to its handler class. */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Worker');
  private readonly workers: Worker[] = [];
  private handlers = new Map<JobName, JobHandlerClass>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.handlers = collectHandlers(this.discovery);
    for (const queue of QUEUES) this.workers.push(this.start(queue));
    this.log.log(`processing queues ${QUEUES.join(', ')} on ${this.connection.backend}`);
  }

  private start(queue: QueueName): Worker {
    const worker = this.connection.createWorker(queue, (job: Job, token?: string) => this.dispatch(job, token), { concurrency: 4 });
    worker.on('failed', (job, err) => this.log.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`));
    worker.on('error', (err) => this.log.error(`worker for ${queue}: ${err.message}`));
    return worker;
  }

  private dispatch(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    return handler.handle(job.data, job, token);
  }

  /** Lets in-flight jobs finish; unfinished ones go back to the queue for another worker. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
  }
}

export function collectHandlers(discovery: DiscoveryService): Map<JobName, JobHandlerClass> {
  const found = new Map<JobName, JobHandlerClass[]>();
  for (const wrapper of discovery.getProviders()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const name = Reflect.getMetadata(JOB_HANDLER, metatype) as JobName | undefined;
    if (!name) continue;
    found.set(name, [...(found.get(name) ?? []), instance as JobHandlerClass]);
  }
  const problems: string[] = [];
  for (const name of Object.keys(JOBS) as JobName[]) {
    const list = found.get(name) ?? [];
    if (list.length === 0) problems.push(`job ${name} has no handler`);
    if (list.length > 1) problems.push(`job ${name} has ${list.length} handlers`);
  }
  for (const name of found.keys()) if (!(name in JOBS)) problems.push(`handler for unknown job ${name}`);
  if (problems.length) throw new Error(`The worker cannot start: ${problems.join('; ')}.`);
  return new Map([...found].map(([k, v]) => [k, v[0]!]));
}
