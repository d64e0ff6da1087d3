import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName } from './queue.definitions';

export const JOB_HANDLER = Symbol('JobHandler');

/**
 * A job is a class: `@JobHandler('name')` on a provider whose `handle(payload, job)` does the work.
 * It must be idempotent and throw to retry.
 */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);

export interface JobHandlerClass<P = unknown, R = unknown> {
  /** `token` is the worker's lock on the job, for a handler that moves its own job back to delayed. */
  handle(payload: P, job: Job, token?: string): Promise<R>;
}
