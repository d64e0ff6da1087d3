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
  // A native byte search: a reviver on every key would cost more than the rest of ingest.
  if (json.indexOf('"__proto__"') !== -1) throw new BadRequestException('The batch holds a "__proto__" key, which is refused.');
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
