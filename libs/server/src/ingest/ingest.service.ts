import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ForbiddenException, Inject, Injectable, Logger, Optional, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { IngestAccepted } from '@loupe/contracts';
import { MetricsService } from '../metrics/metrics.service';
import { originAllowed, ProjectKeys } from '../projects/project-keys';
import { chunkJobId } from '../queue/queue.definitions';
import { QueueService, withTimeout } from '../queue/queue.service';
import { RecordingsRepository } from '../recordings/recordings.repository';
import { maskPasswords, mayCarryInputValues } from '../privacy/password-guard';
import { decodeBatch } from './batch-decoder';

const gzipAsync = promisify(gzip);

export interface IngestRequest {
  key: string | undefined;
  origin: string | undefined;
  userAgent: string | undefined;
  /** The country the proxy in front of Loupe named, when the installation reads one. */
  country?: string;
  body: unknown;
}

/** ISO 3166-1 alpha-2, without the codes proxies use for "unknown" (XX, ZZ) and Tor (T1). */
export const countryCode = (value: string | undefined): string | null => {
  const code = value?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) && code !== 'XX' && code !== 'ZZ' ? code : null;
};

/** Tells the browser to keep its batch and come back; the recorder honours it. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The least work that makes a batch durable: authenticate the key, bound and check the batch,
 * store its compressed bytes and its session in one transaction, enqueue one job.
 */
@Injectable()
export class IngestService {
  private readonly log = new Logger('Ingest');

  constructor(
    private readonly keys: ProjectKeys,
    private readonly recordings: RecordingsRepository,
    private readonly queue: QueueService,
    @Optional() @Inject(MetricsService) private readonly metrics: MetricsService | undefined,
  ) {}

  async ingest(req: IngestRequest): Promise<IngestAccepted> {
    const project = await this.unavailableOnDatabaseError(() => this.keys.find(req.key));
    if (!project) throw new UnauthorizedException('Unknown project key. Copy the key from the project settings into Loupe.init({ key }).');
    if (req.origin && !originAllowed(project, req.origin)) {
      throw new ForbiddenException(`This project does not take recordings from ${req.origin}. Add the origin to the project's allowed origins.`);
    }
    const batch = await decodeBatch(req.body, Date.now());
    const { envelope } = batch;
    const key = { projectId: project.id, sessionId: envelope.sessionId, windowId: envelope.windowId ?? 'main', seq: envelope.seq };
    // A password must never be kept, whatever recorded it: unmasked values are masked here, and the
    // batch stored as masked (refusing it would lose the whole visit's batch for one field).
    const known = new Set(mayCarryInputValues(envelope.events) ? await this.unavailableOnDatabaseError(() => this.recordings.passwordInputs(project.id, key.sessionId, key.windowId)) : []);
    const knownBefore = known.size;
    const masked = maskPasswords(envelope.events, known);
    if (masked) {
      const json = Buffer.from(JSON.stringify(envelope));
      batch.stored = await gzipAsync(json);
      batch.rawBytes = json.length;
      this.log.warn(`masked ${masked} unmasked password value(s) in a batch of project ${project.id}; check the recorder's masking options`);
    }
    const stored = await this.unavailableOnDatabaseError(() =>
      this.recordings.storeChunk({
        ...key,
        visitorId: envelope.visitorId,
        batchId: envelope.batchId,
        firstTs: envelope.events[0]!.timestamp,
        lastTs: envelope.events[envelope.events.length - 1]!.timestamp,
        eventCount: envelope.events.length,
        rawBytes: batch.rawBytes,
        body: batch.stored,
        encoding: 'gzip',
        userAgent: req.userAgent?.slice(0, 512) ?? null,
        country: project.coarseLocation ? countryCode(req.country) : null,
        source: 'sdk',
      }),
    );
    if (known.size > knownBefore) await this.unavailableOnDatabaseError(() => this.recordings.savePasswordInputs(project.id, key.sessionId, key.windowId, [...known]));
    if (stored) this.metrics?.ingestEvents.inc(envelope.events.length);
    if (stored) await this.enqueue(key);
    return { accepted: true, duplicate: !stored };
  }

  /** A queue that does not answer must not fail ingest: the chunk is stored, and the sweeper will enqueue it. */
  private async enqueue(key: { projectId: string; sessionId: string; windowId: string; seq: number }): Promise<void> {
    try {
      await withTimeout(this.queue.add('recording.process-chunk', key, { jobId: chunkJobId(key) }), 1000, 'the queue did not answer in time');
    } catch (err) {
      this.log.warn(`chunk stored, not yet enqueued (${(err as Error).message}); the sweeper will enqueue it`);
    }
  }

  private async unavailableOnDatabaseError<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isOutOfSpace(err)) {
        this.log.error(`the database refused a write for lack of resources (${(err as Error).message}); answering 503 so that browsers keep their batches`);
        throw new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          message: "Loupe's database cannot store the batch right now (its disk or memory is full). Keep the batch and send it again later.",
          retryAfter: RETRY_AFTER_SECONDS,
        });
      }
      if (isConnectionError(err)) {
        const e = new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'Loupe cannot reach its database right now. Keep the batch and send it again later.',
          retryAfter: RETRY_AFTER_SECONDS,
        });
        throw e;
      }
      throw err;
    }
  }
}

/** SQLSTATE class 53, insufficient resources: disk full, out of memory, too many connections. Nothing was written. */
function isOutOfSpace(err: unknown): boolean {
  return /^53/.test((err as { code?: string }).code ?? '');
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003'].includes(e.code ?? '') ||
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(e.message ?? '')
  );
}
