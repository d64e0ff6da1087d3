/**
 * Every queue and every job Loupe knows. A job name is bound to one queue here; the worker refuses
 * to start when a job has no handler, or two.
 */
export const QUEUES = ['system'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOBS = {
  /** Echoes its payload: proves that a queue backend carries jobs both ways. */
  'system.ping': { queue: 'system' },
} as const satisfies Record<string, { queue: QueueName }>;
export type JobName = keyof typeof JOBS;

export interface JobPayloads {
  'system.ping': { message: string };
}
export interface JobResults {
  'system.ping': { message: string; handledBy: number };
}
