import { z } from 'zod';

/** The queues Loupe runs; the same list as the server's `QUEUES`, for the console and the API. */
export const QueueName = z.enum(['system', 'recordings', 'analysis', 'maintenance'], {
  message: 'must be one of the queues system, recordings, analysis, maintenance',
});
export type QueueName = z.infer<typeof QueueName>;

export const QueueCounts = z.object({
  waiting: z.number(),
  active: z.number(),
  delayed: z.number(),
  prioritized: z.number(),
  failed: z.number(),
  completed: z.number(),
});
export type QueueCounts = z.infer<typeof QueueCounts>;

export const QueueSummary = z.object({
  name: QueueName,
  /** What the queue carries, for a person deciding what to look at. */
  description: z.string(),
  counts: QueueCounts,
});
export type QueueSummary = z.infer<typeof QueueSummary>;

export const QueueList = z.object({ queues: z.array(QueueSummary) });
export type QueueList = z.infer<typeof QueueList>;

export const FailedJobsQuery = z.strictObject({
  limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
  offset: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(0),
});
export type FailedJobsQuery = z.infer<typeof FailedJobsQuery>;

export const FailedJob = z.object({
  id: z.string(),
  name: z.string(),
  /** The last error the job threw. */
  error: z.string(),
  attempts: z.number(),
  addedAt: z.string(),
  failedAt: z.string().nullable(),
  data: z.unknown(),
});
export type FailedJob = z.infer<typeof FailedJob>;

export const FailedJobList = z.object({ queue: QueueName, total: z.number(), jobs: z.array(FailedJob) });
export type FailedJobList = z.infer<typeof FailedJobList>;

export const RetriedJobs = z.object({ retried: z.number() });
export type RetriedJobs = z.infer<typeof RetriedJobs>;
