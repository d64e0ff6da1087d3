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
  handle(payload: P, job: Job): Promise<R>;
}
