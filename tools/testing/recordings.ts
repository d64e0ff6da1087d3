import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { IngestBatch, RecordedEvent } from '@loupe/contracts/recording';

const fixturesDir = new URL('../../../shared/fixtures/rrweb/', import.meta.url);

/** The two real recordings beside the repository (see shared/fixtures/rrweb/README.md). */
export function fixture(name: 'demoit-desktop-81s' | 'smartx-mobile-166s'): RecordedEvent[] {
  return JSON.parse(readFileSync(new URL(`${name}.json`, fixturesDir), 'utf8')) as RecordedEvent[];
}

/** The same events moved in time so that the first happens at `start` (ingest refuses old clocks). */
export function rebase(events: RecordedEvent[], start = Date.now() - 60_000): RecordedEvent[] {
  const shift = start - events[0]!.timestamp;
  return events.map((e) => ({ ...e, timestamp: e.timestamp + shift }));
}

export const newId = () => randomBytes(12).toString('base64url');

export function batch(events: RecordedEvent[], over: Partial<IngestBatch> = {}): IngestBatch {
  return { v: 1, sessionId: newId(), visitorId: newId(), windowId: 'main', seq: 0, batchId: newId(), sentAt: Date.now(), events, ...over };
}

export const gz = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value)));

/** Splits a recording into the batches the SDK would have sent. */
export function batches(events: RecordedEvent[], size: number, session = { sessionId: newId(), visitorId: newId() }) {
  const out: Array<IngestBatch> = [];
  for (let i = 0, seq = 0; i < events.length; i += size, seq++) out.push(batch(events.slice(i, i + size), { ...session, seq }));
  return out;
}

const MINUTE = 60_000;

/**
 * A long visit made of a short recording: a checkout (Meta + full snapshot, as rrweb's
 * `checkoutEveryNms` makes) every 3 minutes, each followed by the recording's own changes, then
 * 90 s later its pointer moves, clicks and scrolls again (which leave the page as it is).
 */
export function longRecording(source: RecordedEvent[], minutes: number, start: number): RecordedEvent[] {
  const meta = source.find((e) => e.type === 4)!;
  const full = source.find((e) => e.type === 2)!;
  const first = source[0]!.timestamp;
  const changes = source.filter((e) => e.type === 3);
  const pointer = changes.filter((e) => [1, 2, 3].includes((e.data as { source: number }).source));
  const end = minutes * MINUTE;
  const out: RecordedEvent[] = [];
  for (let at = 0; at < end; at += 3 * MINUTE) {
    out.push({ ...meta, timestamp: start + at }, { ...full, timestamp: start + at + 1 });
    for (const e of changes) out.push({ ...e, timestamp: start + at + 2 + (e.timestamp - first) });
    for (const e of pointer) out.push({ ...e, timestamp: start + at + 90_000 + (e.timestamp - first) });
  }
  return out.filter((e) => e.timestamp - start < end).sort((a, b) => a.timestamp - b.timestamp);
}
