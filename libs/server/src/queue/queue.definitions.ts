/**
 * Every queue and every job Loupe knows. A job name is bound to one queue here; the worker refuses
 * to start when a job has no handler, or two.
 */
export const QUEUES = ['system', 'recordings', 'analysis'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOBS = {
  /** Echoes its payload: proves that a queue backend carries jobs both ways. */
  'system.ping': { queue: 'system' },
  /** Decodes one stored chunk into typed events and refreshes its session's summary. */
  'recording.process-chunk': { queue: 'recordings' },
  /** Re-enqueues chunks that were stored while the queue could not be reached. */
  'recording.sweep': { queue: 'system' },
  /** Finds a session's signals, page views and summary from the facts of its processed chunks. */
  'session.analyse': { queue: 'analysis' },
  /** Closes a visit 30 minutes after its last event: final analysis, then storage compaction. */
  'session.end': { queue: 'analysis' },
  /** Compares each page's recent rage clicks and errors with its baseline and sends alerts. */
  'alerts.check': { queue: 'system' },
  /** Posts one message to a project's webhook, retried with backoff. */
  'webhook.deliver': { queue: 'system' },
} as const satisfies Record<string, { queue: QueueName }>;
export type JobName = keyof typeof JOBS;

export interface JobPayloads {
  'system.ping': { message: string };
  'recording.process-chunk': { projectId: string; sessionId: string; windowId: string; seq: number };
  'recording.sweep': Record<string, never>;
  'session.analyse': SessionKey;
  'session.end': SessionKey;
  'alerts.check': Record<string, never>;
  'webhook.deliver': { url: string; message: { text: string; blocks?: unknown[] }; projectId: string; purpose: string };
}
export interface JobResults {
  'system.ping': { message: string; handledBy: number };
  'recording.process-chunk': { events: number; skipped?: string };
  'recording.sweep': { enqueued: number; analyses: number; ends: number };
  'session.analyse': { signals: number; pageViews: number; skipped?: string };
  'session.end': { ended: boolean; recompressed: number; skipped?: string };
  'alerts.check': { projects: number; alerts: number };
  'webhook.deliver': { status: number };
}

export interface SessionKey {
  projectId: string;
  sessionId: string;
}

/**
 * One analysis of a session at a time, and never one lost: while one runs, the next waits with the
 * latest request (BullMQ's deduplication keeping the last while active).
 */
export const analyseDedupId = (k: SessionKey) => `analyse.${k.projectId}.${k.sessionId}`;
/** One end-of-visit job per session, pushed back on every activity. */
export const endDedupId = (k: SessionKey) => `end.${k.projectId}.${k.sessionId}`;

/** Job ids make adds idempotent; BullMQ forbids ':' in them. */
export const chunkJobId = (k: { projectId: string; sessionId: string; windowId: string; seq: number }) =>
  `chunk.${k.projectId}.${k.sessionId}.${k.windowId}.${k.seq}`;
