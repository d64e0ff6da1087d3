import { z } from 'zod';

const Millis = z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(0);
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z' });

export const SessionListQuery = z.strictObject({
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
  hasError: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
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
  viewport: z.object({ width: z.number(), height: z.number() }).nullable(),
  /** Whether every stored chunk has been processed: summaries and events are complete. */
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
