// Real recordings cut into the batches Loupe's recorder would send, for the benchmark processes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlib, crc32, deflateRawSync } from 'node:zlib';
import type { IngestBatch, RecordedEvent } from '@loupe/contracts/recording';
import { splitBySize } from '../../../../libs/recorder/src/batch';
import { resolveOptions, type ResolvedOptions } from '../../../../libs/recorder/src/options';

export const FIXTURES = ['demoit-desktop-81s', 'smartx-mobile-166s'] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** `dir`: the folder of the real recordings, which the harness finds beside the repository. */
export function fixture(dir: string, name: FixtureName): RecordedEvent[] {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RecordedEvent[];
}

/** The same events moved in time so that the last one happens at `end`: ingest refuses clocks more than 7 days off. */
export function rebase(events: RecordedEvent[], end = Date.now() - 1000): RecordedEvent[] {
  const shift = end - events[events.length - 1]!.timestamp;
  return events.map((e) => ({ ...e, timestamp: e.timestamp + shift }));
}

export const newId = () => randomBytes(12).toString('base64url');

/** The recorder's settings when `Loupe.init` is given only a key. */
export function recorderDefaults(): ResolvedOptions {
  const o = resolveOptions({ key: 'pk_bench', endpoint: 'http://127.0.0.1' });
  if (typeof o === 'string') throw new Error(`the recorder refused its own defaults: ${o}`);
  return o;
}

/**
 * The batches the recorder would have sent for these events: it cuts its buffer on every tick of
 * `flushIntervalMs` and as soon as the buffer holds `maxBatchBytes` characters or `maxBatchEvents`
 * events, then splits what it cut with `splitBySize` (libs/recorder/src/recorder.ts). The ticks are
 * taken from the events' clock, as if the page had been recorded live.
 */
export function recorderBatches(events: RecordedEvent[], o: Pick<ResolvedOptions, 'flushIntervalMs' | 'maxBatchBytes' | 'maxBatchEvents'> = recorderDefaults()): RecordedEvent[][] {
  const out: RecordedEvent[][] = [];
  let buffer: RecordedEvent[] = [];
  let sizes: number[] = [];
  let chars = 0;
  const cut = () => {
    for (const [start, end] of splitBySize(sizes, o.maxBatchBytes, o.maxBatchEvents)) out.push(buffer.slice(start, end));
    buffer = [];
    sizes = [];
    chars = 0;
  };
  let tick = (events[0]?.timestamp ?? 0) + o.flushIntervalMs;
  for (const e of events) {
    while (e.timestamp >= tick) {
      if (buffer.length) cut();
      tick += o.flushIntervalMs;
    }
    const size = JSON.stringify(e).length;
    buffer.push(e);
    sizes.push(size);
    chars += size;
    if (chars >= o.maxBatchBytes || buffer.length >= o.maxBatchEvents) cut();
  }
  if (buffer.length) cut();
  return out;
}

/** The JSON of a batch as the recorder writes it (envelope first, events last). */
export function batchJson(batch: IngestBatch): Buffer {
  const { events, ...head } = batch;
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"events":[${events.map((e) => JSON.stringify(e)).join(',')}]}`);
}

export type BatchIds = Omit<IngestBatch, 'v' | 'events'>;

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/**
 * One batch's events compressed once, from which a gzip body with new ids is made in microseconds.
 * Compressing every request's batch anew would cost the load generator more CPU than the server's
 * ingest costs, on the same cores. The events are deflated once and ended with a full flush (so
 * what follows needs nothing before it), the ids follow in a stored block, and the CRC is carried
 * on from the events': the body is valid gzip of `{"v":1,"events":[...],"sessionId":...}`, a few
 * bytes longer than compressing it whole. Ingest reads the envelope by name, not by position.
 */
export class BatchTemplate {
  readonly eventCount: number;
  readonly rawBytes: number;
  private readonly deflated: Buffer;
  private readonly crc: number;
  private readonly headLength: number;

  constructor(readonly events: RecordedEvent[]) {
    const head = Buffer.from(`{"v":1,"events":[${events.map((e) => JSON.stringify(e)).join(',')}]`);
    this.eventCount = events.length;
    this.headLength = head.length;
    this.deflated = deflateRawSync(head, { finishFlush: zlib.Z_FULL_FLUSH });
    this.crc = crc32(head);
    this.rawBytes = head.length;
  }

  body(ids: BatchIds): Buffer {
    const tail = Buffer.from(`,"sessionId":"${ids.sessionId}","visitorId":"${ids.visitorId}","windowId":"${ids.windowId}","seq":${ids.seq},"batchId":"${ids.batchId}","sentAt":${ids.sentAt}}`);
    const stored = Buffer.from([0x01, tail.length & 0xff, tail.length >> 8, ~tail.length & 0xff, (~tail.length >> 8) & 0xff]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tail, this.crc), 0);
    trailer.writeUInt32LE((this.headLength + tail.length) % 2 ** 32, 4);
    return Buffer.concat([GZIP_HEADER, this.deflated, stored, tail, trailer]);
  }
}

export { longRecording } from '../../../testing/recordings';
