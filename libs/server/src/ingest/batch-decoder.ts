import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { IngestEnvelope } from '@loupe/contracts';
import { INGEST_LIMITS, type RecordedEvent } from '@loupe/contracts/recording';
import { checkEventOrder } from '@loupe/replay';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedBatch {
  envelope: IngestEnvelope & { events: RecordedEvent[] };
  /** What is stored: the gzip bytes as they came (raw JSON is compressed first). */
  stored: Buffer;
  rawBytes: number;
}

/**
 * Far deeper than any recorded page (rrweb's snapshot of a DOM nests two levels per element; the
 * fixtures reach 38), far shallower than what overflows the stack of JSON.stringify or a recursive
 * walk in the worker, the export or the player.
 */
export const MAX_NESTING_DEPTH = 1000;

/** The deepest nesting of arrays and objects in JSON text, stopping early once past `limit`. */
export function nestingDepth(json: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i] ?? 0;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Whether parsed JSON holds a `__proto__` key, or a `constructor` key holding a `prototype`: what prototype pollution needs. */
function hasPrototypeKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      if (key === '__proto__') return true;
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) return true;
      stack.push(child);
    }
  }
  return false;
}

const tooLarge = (message: string) => new HttpException({ statusCode: 413, error: 'Payload Too Large', message }, HttpStatus.PAYLOAD_TOO_LARGE);

/**
 * Everything ingest checks before it stores a batch: sizes, the decompression ratio, JSON, the
 * envelope and the events' order and clock. A batch that fails any of it is refused whole.
 */
export async function decodeBatch(body: unknown, now: number): Promise<DecodedBatch> {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new BadRequestException('Send the batch as the request body (gzip-compressed JSON) with Content-Type application/octet-stream or text/plain.');
  }
  if (body.length > INGEST_LIMITS.maxCompressedBytes) throw tooLarge(`The batch is ${body.length} bytes; the limit is ${INGEST_LIMITS.maxCompressedBytes}. Send smaller batches.`);
  const isGzip = body[0] === 0x1f && body[1] === 0x8b;
  let json: Buffer;
  if (isGzip) {
    try {
      json = await gunzipAsync(body, { maxOutputLength: INGEST_LIMITS.maxDecompressedBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw tooLarge(`The batch decompresses to more than ${INGEST_LIMITS.maxDecompressedBytes} bytes. Send smaller batches.`);
      }
      throw new BadRequestException('The body is not valid gzip: it may have been cut short. Send the whole compressed batch again.');
    }
    if (json.length / body.length > INGEST_LIMITS.maxCompressionRatio) {
      throw tooLarge(`The batch expands ${Math.round(json.length / body.length)} times when decompressed; more than ${INGEST_LIMITS.maxCompressionRatio} is refused as a decompression bomb.`);
    }
  } else {
    json = body;
  }
  // A native byte search: a reviver on every key would cost more than the rest of ingest. Escaped
  // spellings ("\u005f_proto__") are caught after parsing, where only a suspicious text is walked.
  if (json.indexOf('"__proto__"') !== -1) throw new BadRequestException('The batch holds a "__proto__" key, which is refused.');
  const depth = nestingDepth(json, MAX_NESTING_DEPTH);
  if (depth > MAX_NESTING_DEPTH) {
    throw new BadRequestException(`The batch nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep; no page's recording does. Send the events as the recorder makes them.`);
  }
  let text: string;
  try {
    text = strictUtf8.decode(json);
  } catch {
    throw new BadRequestException('The batch is not valid UTF-8 text.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestException(`The batch is not valid JSON${isGzip ? ' after decompression' : ''}.`);
  }
  if ((json.indexOf('\\u00') !== -1 || json.indexOf('proto') !== -1) && hasPrototypeKey(parsed)) {
    throw new BadRequestException('The batch holds a "__proto__" key or a "constructor" key with a "prototype", which are refused.');
  }
  const envelope = IngestEnvelope.safeParse(parsed);
  if (!envelope.success) {
    const issues = envelope.error.issues.map((i) => ({ path: i.path.join('.') || '(batch)', message: i.message.replace(/^Invalid input: /, '') }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: `The batch envelope is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}.`,
      issues,
    });
  }
  const events = envelope.data.events as RecordedEvent[];
  if (events.length > INGEST_LIMITS.maxEventsPerBatch) throw tooLarge(`The batch holds ${events.length} events; the limit is ${INGEST_LIMITS.maxEventsPerBatch}.`);
  const problem = checkEventOrder(events, now, INGEST_LIMITS.maxClockSkewMs);
  if (problem) throw new BadRequestException(`The batch's events are not valid: ${problem}.`);
  const stored = isGzip ? body : await gzipAsync(json);
  return { envelope: { ...envelope.data, events }, stored, rawBytes: json.length };
}
