import { QueueName as QueueNameContract } from '@loupe/contracts';

/**
 * Every queue and every job Loupe knows. A job name is bound to one queue here; the worker refuses
 * to start when a job of a queue it runs has no handler, or two. Workers can be dedicated to some
 * queues (`LOUPE_WORKER_QUEUES`).
 */
export const QUEUES = QueueNameContract.options;
export type QueueName = (typeof QUEUES)[number];

/** What each queue carries, as the administrators' queue page says it. */
export const QUEUE_DESCRIPTIONS: Record<QueueName, string> = {
  system: "The queue's own check (a ping that proves jobs go both ways).",
  recordings: 'One job per recorded chunk: typed events and the session summary. The bulk of the work; it grows with traffic.',
  analysis: 'Work over whole sessions or projects, kept apart so that it never delays replays.',
  maintenance: 'Scheduled housekeeping, such as the sweep that re-enqueues chunks the queue missed.',
};

export const JOBS = {
  /** Echoes its payload: proves that a queue backend carries jobs both ways. */
  'system.ping': { queue: 'system' },
  /** Decodes one stored chunk into typed events and refreshes its session's summary. */
  'recording.process-chunk': { queue: 'recordings' },
  /** Re-enqueues chunks that were stored while the queue could not be reached. */
  'recording.sweep': { queue: 'maintenance' },
} as const satisfies Record<string, { queue: QueueName }>;
export type JobName = keyof typeof JOBS;

/** The jobs of some queues: what a worker dedicated to those queues must be able to handle. */
export const jobsOf = (queues: readonly QueueName[]): JobName[] => (Object.keys(JOBS) as JobName[]).filter((name) => queues.includes(JOBS[name].queue));

/**
 * Schedules that used to live on another queue. Each start removes them there, so that an upgraded
 * install does not run a job twice per interval (once from the old schedule, once from the new).
 */
export const RETIRED_SCHEDULES: ReadonlyArray<{ queue: QueueName; id: string }> = [{ queue: 'system', id: 'recording.sweep' }];

export interface JobPayloads {
  'system.ping': { message: string };
  'recording.process-chunk': { projectId: string; sessionId: string; windowId: string; seq: number };
  'recording.sweep': Record<string, never>;
}
export interface JobResults {
  'system.ping': { message: string; handledBy: number };
  'recording.process-chunk': { events: number; skipped?: string };
  'recording.sweep': { enqueued: number };
}

/** Job ids make adds idempotent; BullMQ forbids ':' in them. */
export const chunkJobId = (k: { projectId: string; sessionId: string; windowId: string; seq: number }) =>
  `chunk.${k.projectId}.${k.sessionId}.${k.windowId}.${k.seq}`;
