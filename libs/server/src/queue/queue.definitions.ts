/**
 * Every queue and every job Loupe knows. A job name is bound to one queue here; the worker refuses
 * to start when a job has no handler, or two.
 */
export const QUEUES = ['system', 'recordings'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOBS = {
  /** Echoes its payload: proves that a queue backend carries jobs both ways. */
  'system.ping': { queue: 'system' },
  /** Decodes one stored chunk into typed events and refreshes its session's summary. */
  'recording.process-chunk': { queue: 'recordings' },
  /** Re-enqueues chunks that were stored while the queue could not be reached. */
  'recording.sweep': { queue: 'system' },
  /** Posts one message to a project's webhook, retried with backoff. */
  'webhook.deliver': { queue: 'system' },
} as const satisfies Record<string, { queue: QueueName }>;
export type JobName = keyof typeof JOBS;

export interface JobPayloads {
  'system.ping': { message: string };
  'recording.process-chunk': { projectId: string; sessionId: string; windowId: string; seq: number };
  'recording.sweep': Record<string, never>;
  'webhook.deliver': { url: string; message: { text: string; blocks?: unknown[] }; projectId: string; purpose: string };
}
export interface JobResults {
  'system.ping': { message: string; handledBy: number };
  'recording.process-chunk': { events: number; skipped?: string };
  'recording.sweep': { enqueued: number };
  'webhook.deliver': { status: number };
}

/** Job ids make adds idempotent; BullMQ forbids ':' in them. */
export const chunkJobId = (k: { projectId: string; sessionId: string; windowId: string; seq: number }) =>
  `chunk.${k.projectId}.${k.sessionId}.${k.windowId}.${k.seq}`;
