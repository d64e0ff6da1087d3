import { z } from 'zod';

const Id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _');

/**
 * The envelope of one recorded batch (see `recording.ts` for the whole wire format). Events are
 * checked apart, by a fast loop, because a batch can hold thousands.
 */
export const IngestEnvelope = z.object({
  v: z.literal(1, { message: 'must be 1 (the wire format version)' }),
  sessionId: Id,
  visitorId: Id,
  /** Optional for older recorders and imports, which have one window: `main`. */
  windowId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _').optional(),
  seq: z.number().int('must be a whole number').min(0).max(1_000_000),
  batchId: Id,
  sentAt: z.number().finite(),
  events: z.array(z.unknown()).min(1, 'must hold at least one event'),
});
export type IngestEnvelope = z.infer<typeof IngestEnvelope>;

export const IngestAccepted = z.object({ accepted: z.literal(true), duplicate: z.boolean() });
export type IngestAccepted = z.infer<typeof IngestAccepted>;
