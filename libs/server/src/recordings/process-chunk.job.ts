import { promisify } from 'node:util';
import { brotliCompress, constants as zlib } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import type { IngestBatch } from '@loupe/contracts/recording';
import { analyzeChunk, deviceOf, summarizeSession } from '@loupe/replay';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';
import { RecordingsRepository, type StoredChunkFacts } from './recordings.repository';
import { decodeStoredChunk } from './sessions.service';

type Payload = JobPayloads['recording.process-chunk'];

const brotli = promisify(brotliCompress);

/**
 * Chunks arrive gzip-compressed (what browsers can make) and are kept brotli-compressed. With the
 * recorder's own batches (a flush every 5 s) the fixtures keep 1/8.6 (desktop) and 1/7.9 (mobile,
 * snapshot-heavy) of their JSON, against 1/7.0 and 1/3.9 for the gzip that came in; quality 9 gains
 * about 1% for four times the CPU (docs/benchmarks.md).
 */
export async function compressForStorage(json: Buffer): Promise<Buffer> {
  return brotli(json, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: 8,
      [zlib.BROTLI_PARAM_LGWIN]: 24,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}

/**
 * Turns one stored chunk into typed events and refreshes its session. Idempotent: the chunk's
 * events are replaced, not added, and the session summary is recomputed from every chunk's facts.
 */
@Injectable()
@JobHandler('recording.process-chunk')
export class ProcessChunkJob implements JobHandlerClass<Payload, JobResults['recording.process-chunk']> {
  constructor(private readonly recordings: RecordingsRepository) {}

  async handle(key: Payload): Promise<JobResults['recording.process-chunk']> {
    const chunk = await this.recordings.findChunk(key);
    if (!chunk) return { events: 0, skipped: 'the chunk is no longer stored' };
    const json = await decodeStoredChunk(chunk.encoding, chunk.body);
    const batch = JSON.parse(json.toString('utf8')) as IngestBatch;
    const recompressed = chunk.encoding === 'gzip' ? await compressForStorage(json) : null;
    const context = await this.recordings.contextBefore(key);
    // Whether clicks and pages come from Loupe's own events or from rrweb's is decided per chunk by
    // the library: ingest also takes plain rrweb from other recorders.
    const analysis = analyzeChunk({ seq: key.seq, windowId: key.windowId }, batch.events, context.url ? { url: context.url } : {});
    const stored: StoredChunkFacts = {
      ...analysis.facts,
      endUrl: analysis.lastUrl ?? null,
      fullSnapshots: analysis.index.fullSnapshots.map((f) => f.ts),
    };
    await this.recordings.transaction(async (m) => {
      const session = await this.recordings.lockSession(m, key.projectId, key.sessionId);
      if (!session) return;
      await this.recordings.replaceChunkEvents(m, key, analysis.events);
      await this.recordings.markProcessed(m, key, stored);
      if (recompressed && recompressed.length < chunk.body.length) await this.recordings.replaceBody(m, key, recompressed, 'br');
      const all = await this.recordings.chunkFacts(m, key.projectId, key.sessionId);
      const summary = summarizeSession(all);
      // An imported recording has no user agent: its device class still follows from its viewport.
      const device = deviceOf(session.userAgent ?? '', summary.viewport?.width);
      await this.recordings.updateSummary(m, key.projectId, key.sessionId, summary, session.userAgent ? device : { device: device.device, browser: null, os: null });
    });
    return { events: analysis.events.length };
  }
}
