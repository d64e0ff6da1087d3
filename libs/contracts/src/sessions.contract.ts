import { z } from 'zod';
import { SIGNAL_KINDS } from './signals.contract';

const Millis = z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(0);
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z' });

export const SessionListQuery = z
  .strictObject({
  project: z.uuid({ message: 'must be the id of one of your projects' }),
  from: Instant.optional(),
  to: Instant.optional(),
  /** Sessions that visited a page whose URL contains this text. */
  url: z.string().min(1).max(500).optional(),
  /** A user id (from Loupe.identify) or a visitor id. */
  user: z.string().min(1).max(200).optional(),
  minDuration: Millis.optional(),
  maxDuration: Millis.optional(),
  device: z.enum(['desktop', 'tablet', 'mobile']).optional(),
  browser: z.string().min(1).max(100).optional(),
  /** Two letters (ISO 3166-1), for projects that keep coarse location. */
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as DE')
    .transform((v) => v.toUpperCase())
    .optional(),
  hasError: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Sessions with at least one signal of this kind (`any`: of any kind). */
  signal: z.enum([...SIGNAL_KINDS, 'any'], { message: `must be one of ${SIGNAL_KINDS.join(', ')} or any` }).optional(),
  /** Sessions that viewed this page (a page key, as in GET /api/v1/pages). */
  page: z.string().min(1).max(500).optional(),
  entryPage: z.string().min(1).max(500).optional(),
  exitPage: z.string().min(1).max(500).optional(),
  /** Sessions with a signal on this page (of the kind given by `signal`, if any). */
  signalPage: z.string().min(1).max(500).optional(),
  minFrustration: z.coerce.number().min(0).max(100).optional(),
  /** Visits that saw one page only. */
  bounced: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Sessions of visitors exposed to this experiment (its key), from their first exposure on. */
  experiment: z.string().min(1).max(100).optional(),
  /** With `experiment`: only visitors first exposed to this variant. */
  variant: z.string().min(1).max(100).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})
  .refine((q) => !q.variant || q.experiment, { message: 'variant needs experiment: name the experiment whose variant this is', path: ['variant'] });
export type SessionListQuery = z.infer<typeof SessionListQuery>;

export const SessionSummary = z.object({
  id: z.string(),
  visitorId: z.string(),
  userId: z.string().nullable(),
  startedAt: z.string(),
  lastEventAt: z.string(),
  durationMs: z.number(),
  activeMs: z.number(),
  entryUrl: z.string().nullable(),
  exitUrl: z.string().nullable(),
  pageCount: z.number(),
  clickCount: z.number(),
  errorCount: z.number(),
  eventCount: z.number(),
  device: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  /** Two letters, when the project keeps coarse location and the proxy named one. */
  country: z.string().nullable(),
  viewport: z.object({ width: z.number(), height: z.number() }).nullable(),
  /** Signals found so far, per kind (kinds with none are absent). */
  signalCounts: z.record(z.string(), z.number()),
  /** 0 (nothing went wrong) towards 100; see docs/signals.md. */
  frustrationScore: z.number(),
  entryPage: z.string().nullable(),
  exitPage: z.string().nullable(),
  /** The visit saw one page only. */
  bounced: z.boolean(),
  /** The visit has been quiet for 30 minutes and is closed. */
  ended: z.boolean(),
  /** Whether every stored chunk has been processed and analysed: summary, events and signals are complete. */
  processed: z.boolean(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const TypedEventView = z.object({
  ts: z.string(),
  kind: z.string(),
  url: z.string().nullable(),
  name: z.string().nullable(),
  selector: z.string().nullable(),
  text: z.string().nullable(),
  x: z.number().nullable(),
  y: z.number().nullable(),
  props: z.record(z.string(), z.unknown()).nullable(),
});
export type TypedEventView = z.infer<typeof TypedEventView>;

export const ChunkView = z.object({
  windowId: z.string(),
  seq: z.number(),
  firstTs: z.string(),
  lastTs: z.string(),
  eventCount: z.number(),
  /** Times of full snapshots in this chunk: a player seeking to T starts from the last one before T. */
  fullSnapshots: z.array(z.number()),
});
export type ChunkView = z.infer<typeof ChunkView>;

export const ProjectQuery = z.strictObject({ project: z.uuid({ message: 'must be the id of one of your projects' }) });
export type ProjectQuery = z.infer<typeof ProjectQuery>;
