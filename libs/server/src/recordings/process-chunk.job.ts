import { promisify } from 'node:util';
import { brotliCompress, constants as zlib } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import type { IngestBatch } from '@loupe/contracts/recording';
import { heatInputsOf } from '@loupe/analytics';
import { analyzeChunk } from '@loupe/replay';
import { signalInputsOf } from '@loupe/signals';
import { ExposuresRepository } from '../experiments/exposures.repository';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import { analyseDedupId, type JobPayloads, type JobResults } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { RecordingsRepository, type StoredChunkFacts } from './recordings.repository';
import { decodeStoredChunk } from './sessions.service';

type Payload = JobPayloads['recording.process-chunk'];

const brotli = promisify(brotliCompress);

/**
 * Chunks arrive gzip-compressed (what browsers can make) and are kept brotli-compressed once the
 * visit has ended. With the recorder's own batches (a flush every 5 s) the fixtures keep 1/8.6
 * (desktop) and 1/7.9 (mobile, snapshot-heavy) of their JSON, against 1/7.0 and 1/3.9 for the gzip
 * that came in; quality 9 gains about 1% for four times the CPU (docs/benchmarks.md).
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

/** How a session analysis is asked for: one at a time per session, the latest request kept while one runs. */
export const analyseJobOptions = (k: { projectId: string; sessionId: string }) => ({
  deduplication: { id: analyseDedupId(k), keepLastIfActive: true },
  removeOnComplete: true,
});

/**
 * Turns one stored chunk into typed events and the facts its session is analysed from, then asks
 * for that analysis. Idempotent: the chunk's events and facts are replaced, not added. Nothing here
 * locks the session, so chunks of one visit are processed side by side. Exposures to experiments
 * are recorded here too, the earliest per visitor kept.
 */
@Injectable()
@JobHandler('recording.process-chunk')
export class ProcessChunkJob implements JobHandlerClass<Payload, JobResults['recording.process-chunk']> {
  private readonly log = new Logger('Recordings');

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly queue: QueueService,
    private readonly exposures: ExposuresRepository,
  ) {}

  async handle(key: Payload): Promise<JobResults['recording.process-chunk']> {
    const chunk = await this.recordings.findChunk(key);
    if (!chunk) return { events: 0, skipped: 'the chunk is no longer stored' };
    const json = await decodeStoredChunk(chunk.encoding, chunk.body);
    const batch = JSON.parse(json.toString('utf8')) as IngestBatch;
    const context = await this.recordings.contextBefore(key);
    // Whether clicks and pages come from Loupe's own events or from rrweb's is decided per chunk by
    // the library: ingest also takes plain rrweb from other recorders.
    const id = { seq: key.seq, windowId: key.windowId };
    const analysis = analyzeChunk(id, batch.events, context.url ? { url: context.url } : {});
    const stored: StoredChunkFacts = {
      ...analysis.facts,
      endUrl: analysis.lastUrl ?? null,
      fullSnapshots: analysis.index.fullSnapshots.map((f) => f.ts),
      signals: signalInputsOf(id, batch.events, analysis.events, { loupe: analysis.facts.loupe, coveredUntil: batch.sentAt }),
      heat: heatInputsOf(batch.events, key.windowId),
    };
    await this.recordings.transaction(async (m) => {
      await this.recordings.replaceChunkEvents(m, key, analysis.events);
      await this.recordings.markProcessed(m, key, stored);
      await this.exposures.recordFromChunk(m, key, analysis.events);
    });
    const session = { projectId: key.projectId, sessionId: key.sessionId };
    // A queue that does not answer now is not a reason to process the chunk again: the sweeper
    // asks for the analysis of any session whose facts changed after its last one.
    await this.queue.add('session.analyse', session, analyseJobOptions(session)).catch((err: Error) => this.log.warn(`could not ask for the analysis of a session: ${err.message}`));
    return { events: analysis.events.length };
  }
}
