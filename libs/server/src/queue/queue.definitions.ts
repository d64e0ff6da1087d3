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
  recordings: "One job per recorded chunk: its typed events and the facts its session is analysed from. The bulk of the work; it grows with traffic.",
  analysis: "Work over whole sessions: each session's summary, frustration signals, page views and funnel steps after every chunk, the matching of stored sessions against a new or edited funnel, and the close of a visit 30 minutes after its last batch.",
  maintenance: 'Scheduled housekeeping and deliveries: the sweep that re-enqueues what the queue missed, the alert check, webhook messages, the upkeep of the monthly partitions, the daily deletion of data older than each project\'s retention.',
};

export const JOBS = {
  /** Echoes its payload: proves that a queue backend carries jobs both ways. */
  'system.ping': { queue: 'system' },
  /** Decodes one stored chunk into typed events and the facts its session is analysed from. */
  'recording.process-chunk': { queue: 'recordings' },
  /** Re-enqueues chunks that were stored while the queue could not be reached. */
  'recording.sweep': { queue: 'maintenance' },
  /** Finds a session's signals, page views and summary from the facts of its processed chunks. */
  'session.analyse': { queue: 'analysis' },
  /** Closes a visit 30 minutes after its last event: final analysis, then storage compaction. */
  'session.end': { queue: 'analysis' },
  /** Matches every stored session of a project against a funnel just created or edited. */
  'funnel.backfill': { queue: 'analysis' },
  /** Compares each page's recent rage clicks and errors with its baseline and sends alerts. */
  'alerts.check': { queue: 'maintenance' },
  /** Posts one message to a project's webhook, retried with backoff. */
  'webhook.deliver': { queue: 'maintenance' },
  /** Queues the webhook messages of answers stored while the queue could not take them. */
  'feedback.forward-missed': { queue: 'maintenance' },
  /** Creates the coming months' partitions of chunks and events, empties the default ones, drops months past retention. */
  'partitions.maintain': { queue: 'maintenance' },
  /** Deletes what each project recorded longer ago than its retention. */
  'retention.apply': { queue: 'maintenance' },
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
  'session.analyse': SessionKey;
  'session.end': SessionKey;
  'funnel.backfill': { projectId: string; funnelId: string; version: number };
  'alerts.check': Record<string, never>;
  'webhook.deliver': { url: string; message: { text: string; blocks?: unknown[] }; projectId: string; purpose: string };
  'feedback.forward-missed': Record<string, never>;
  'partitions.maintain': Record<string, never>;
  'retention.apply': Record<string, never>;
}
export interface JobResults {
  'system.ping': { message: string; handledBy: number };
  'recording.process-chunk': { events: number; skipped?: string };
  'recording.sweep': { enqueued: number; analyses: number; ends: number };
  'session.analyse': { signals: number; pageViews: number; skipped?: string };
  'session.end': { ended: boolean; recompressed: number; skipped?: string };
  'funnel.backfill': { sessions: number; skipped?: string };
  'alerts.check': { projects: number; alerts: number };
  'webhook.deliver': { status: number };
  'feedback.forward-missed': { queued: number };
  'partitions.maintain': { created: string[]; moved: number; dropped: string[] };
  'retention.apply': { projects: number; deleted: RetentionCounts; perProject: Record<string, RetentionCounts> };
}

/** Rows deleted per table by one retention run. */
export interface RetentionCounts {
  sessions: number;
  chunks: number;
  events: number;
  signals: number;
  pageViews: number;
  feedback: number;
  surveyImpressions: number;
  /** A session's share of the heatmaps, taken out of the maps with it. */
  heatmapContributions: number;
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
/** One backfill per version of a funnel. */
export const funnelBackfillJobId = (p: { funnelId: string; version: number }) => `funnel-backfill.${p.funnelId}.${p.version}`;

/** Job ids make adds idempotent; BullMQ forbids ':' in them. */
export const chunkJobId = (k: { projectId: string; sessionId: string; windowId: string; seq: number }) =>
  `chunk.${k.projectId}.${k.sessionId}.${k.windowId}.${k.seq}`;
