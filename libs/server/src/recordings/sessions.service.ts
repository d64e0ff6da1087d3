import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, gzip } from 'node:zlib';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { ChunkView, CurrentUser, SessionListQuery, SessionSummary, SignalView, TypedEventView } from '@loupe/contracts';
import type { IngestBatch, RecordedEvent } from '@loupe/contracts/recording';
import { checkEventOrder } from '@loupe/replay';
import { ProjectsService } from '../projects/projects.service';
import { chunkJobId } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { RecordingsRepository } from './recordings.repository';
import { SessionsRepository } from './sessions.repository';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliDecompress);

/** Imported recordings are cut into chunks of this many events, like the SDK's batches. */
const IMPORT_CHUNK_EVENTS = 500;

export async function decodeStoredChunk(encoding: 'gzip' | 'br', body: Buffer): Promise<Buffer> {
  return encoding === 'br' ? brotliAsync(body) : gunzipAsync(body);
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly sessions: SessionsRepository,
    private readonly recordings: RecordingsRepository,
    private readonly queue: QueueService,
  ) {}

  async list(user: CurrentUser, q: SessionListQuery): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }> {
    await this.projects.requireAccess(user, q.project);
    const sessions = await this.sessions.list(q, q.cursor ? decodeCursor(q.cursor) : null);
    const last = sessions[sessions.length - 1];
    return { sessions, nextCursor: sessions.length === q.limit && last ? encodeCursor(last) : null };
  }

  async get(user: CurrentUser, projectId: string, sessionId: string): Promise<{ session: SessionSummary; events: TypedEventView[]; signals: SignalView[]; chunks: ChunkView[] }> {
    await this.projects.requireAccess(user, projectId);
    const session = await this.sessions.find(projectId, sessionId);
    if (!session) throw notFound();
    const [events, signals, chunks] = await Promise.all([
      this.sessions.typedEvents(projectId, sessionId),
      this.sessions.signals(projectId, sessionId),
      this.sessions.chunks(projectId, sessionId),
    ]);
    return { session, events, signals, chunks };
  }

  /** One stored chunk, as stored: the player fetches chunks one by one and starts on the first. */
  async chunk(user: CurrentUser, projectId: string, sessionId: string, windowId: string, seq: number): Promise<{ encoding: 'gzip' | 'br'; body: Buffer }> {
    await this.projects.requireAccess(user, projectId);
    const [chunk] = await this.sessions.chunkBodies(projectId, sessionId, [{ windowId, seq }]);
    if (!chunk) throw notFound();
    return chunk;
  }

  /** Every rrweb event of the session, in order, exactly as recorded. */
  async export(user: CurrentUser, projectId: string, sessionId: string): Promise<RecordedEvent[]> {
    await this.projects.requireAccess(user, projectId);
    if (!(await this.sessions.find(projectId, sessionId))) throw notFound();
    const chunks = await this.sessions.chunkBodies(projectId, sessionId);
    const events: RecordedEvent[] = [];
    for (const c of chunks) {
      const batch = JSON.parse((await decodeStoredChunk(c.encoding, c.body)).toString('utf8')) as IngestBatch;
      for (const e of batch.events) events.push(e);
    }
    // Chunks of several tabs may overlap in time; a stable sort keeps each tab's own order.
    return chunks.length > 1 ? events.sort((a, b) => a.timestamp - b.timestamp) : events;
  }

  /** A recording from another rrweb-based tool becomes a session processed like any other. */
  async import(user: CurrentUser, projectId: string, body: unknown): Promise<{ sessionId: string }> {
    await this.projects.requireAccess(user, projectId, 'write');
    const events = await parseImport(body);
    const sessionId = `imp_${randomBytes(12).toString('base64url')}`;
    const visitorId = `imp_${randomBytes(12).toString('base64url')}`;
    const jobs: Array<{ projectId: string; sessionId: string; windowId: string; seq: number }> = [];
    for (let seq = 0, i = 0; i < events.length; seq++, i += IMPORT_CHUNK_EVENTS) {
      const part = events.slice(i, i + IMPORT_CHUNK_EVENTS);
      const batch: IngestBatch = { v: 1, sessionId, visitorId, windowId: 'main', seq, batchId: randomUUID().replaceAll('-', ''), sentAt: Date.now(), events: part };
      const json = Buffer.from(JSON.stringify(batch));
      const key = { projectId, sessionId, windowId: 'main', seq };
      await this.recordings.storeChunk({
        ...key,
        visitorId,
        batchId: batch.batchId,
        firstTs: part[0]!.timestamp,
        lastTs: part[part.length - 1]!.timestamp,
        eventCount: part.length,
        rawBytes: json.length,
        body: await gzipAsync(json),
        encoding: 'gzip',
        userAgent: null,
        source: 'import',
      });
      jobs.push(key);
    }
    for (const key of jobs) await this.queue.add('recording.process-chunk', key, { jobId: chunkJobId(key) }).catch(() => undefined);
    return { sessionId };
  }
}

async function parseImport(body: unknown): Promise<RecordedEvent[]> {
  let value = body;
  if (Buffer.isBuffer(body)) {
    let text: Buffer = body;
    if (body[0] === 0x1f && body[1] === 0x8b) {
      try {
        text = await gunzipAsync(body, { maxOutputLength: 512 * 1024 * 1024 });
      } catch {
        throw new BadRequestException('The body is not valid gzip.');
      }
    }
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch {
      throw new BadRequestException('The body is not valid JSON: send the recording as a JSON array of rrweb events.');
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequestException('Send the recording as a non-empty JSON array of rrweb events (objects with type and timestamp).');
  }
  // Recordings from elsewhere may be years old: only their order and shape are checked.
  const problem = checkEventOrder(value as RecordedEvent[], Date.now(), Number.MAX_SAFE_INTEGER);
  if (problem) throw new BadRequestException(`The recording's events are not valid: ${problem}.`);
  return value as RecordedEvent[];
}

const notFound = () => new NotFoundException('No such session in this project.');

function encodeCursor(s: SessionSummary): string {
  return Buffer.from(JSON.stringify([s.startedAt, s.id])).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: string; id: string } {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof startedAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(startedAt))) throw new Error('shape');
    return { startedAt, id };
  } catch {
    throw new BadRequestException('The cursor is not one this API gave out: use nextCursor from the previous page.');
  }
}
