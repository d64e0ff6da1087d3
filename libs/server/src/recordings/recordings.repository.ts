import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ChunkHeatInputs } from '@loupe/analytics';
import type { ChunkFacts, TypedEvent } from '@loupe/replay';
import type { ChunkSignalInputs } from '@loupe/signals';

export interface NewChunk {
  projectId: string;
  sessionId: string;
  visitorId: string;
  windowId: string;
  seq: number;
  batchId: string;
  firstTs: number;
  lastTs: number;
  eventCount: number;
  rawBytes: number;
  body: Buffer;
  encoding: 'gzip' | 'br';
  userAgent: string | null;
  /** Two letters, for projects that keep coarse location; null otherwise. */
  country?: string | null;
  source: 'sdk' | 'import';
}

/** What the worker keeps beside a processed chunk. */
export interface StoredChunkFacts extends ChunkFacts {
  /** The page the chunk ends on, for the chunk after it. */
  endUrl: string | null;
  /** Times of the chunk's full snapshots, for seeking. */
  fullSnapshots: number[];
  /** What the frustration detectors need from the chunk. */
  signals?: ChunkSignalInputs;
  /** Clicks, sampled pointer positions and scroll depths, for heatmaps. */
  heat?: ChunkHeatInputs;
}

export interface ChunkKey {
  projectId: string;
  sessionId: string;
  windowId: string;
  seq: number;
}

export interface StoredChunk extends ChunkKey {
  firstTs: Date;
  lastTs: Date;
  eventCount: number;
  encoding: 'gzip' | 'br';
  body: Buffer;
  processedAt: Date | null;
  facts: unknown;
}

/**
 * The partition key of a session's chunks and events (`$1` the project, `$2` the session), for a
 * query that names one session: PostgreSQL then reads only that month's partition.
 */
export const SESSION_DAY = '(SELECT created_on FROM session WHERE project_id = $1 AND id = $2)';

/** The only code that reads and writes sessions, recording chunks and typed events. */
@Injectable()
export class RecordingsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores one chunk and creates or stretches its session, together. Returns false when the chunk
   * was already stored (a retry): no chunk is written then.
   */
  async storeChunk(c: NewChunk): Promise<boolean> {
    // One statement, so one round trip and atomic without a transaction: ingest's hot path. The
    // chunk's foreign key sees the session row the same statement wrote.
    const inserted: unknown[] = await this.db.query(
      `WITH upsert AS (
         INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, user_agent, source, last_received_at, country)
         VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0), $6, $7, now(), $16)
         ON CONFLICT (project_id, id) DO UPDATE
           SET started_at = LEAST(session.started_at, EXCLUDED.started_at),
               country = COALESCE(session.country, EXCLUDED.country),
               last_event_at = GREATEST(session.last_event_at, EXCLUDED.last_event_at),
               last_received_at = now(),
               -- A visit taken up again after it was closed is open again until it goes quiet.
               ended_at = NULL
         RETURNING created_on
       )
       -- The session's day, never the time of arrival: a re-sent chunk must meet the first one in
       -- the same partition for the key to turn it away.
       INSERT INTO recording_chunk (project_id, session_id, window_id, seq, batch_id, first_ts, last_ts, event_count, raw_bytes, stored_bytes, encoding, body, session_day)
       SELECT $1, $2, $8, $9, $10, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0), $11, $12, $13, $14, $15, upsert.created_on FROM upsert
       ON CONFLICT DO NOTHING RETURNING seq`,
      [c.projectId, c.sessionId, c.visitorId, c.firstTs, c.lastTs, c.userAgent, c.source, c.windowId, c.seq, c.batchId, c.eventCount, c.rawBytes, c.body.length, c.encoding, c.body, c.country ?? null],
    );
    return inserted.length === 1;
  }

  /** Node ids of the password inputs a window of the session has shown so far. */
  async passwordInputs(projectId: string, sessionId: string, windowId: string): Promise<number[]> {
    const [row]: Array<{ ids: unknown }> = await this.db.query(`SELECT password_inputs -> $3 AS ids FROM session WHERE project_id = $1 AND id = $2`, [projectId, sessionId, windowId]);
    return Array.isArray(row?.ids) ? row.ids.filter((n): n is number => typeof n === 'number') : [];
  }

  async savePasswordInputs(projectId: string, sessionId: string, windowId: string, ids: number[]): Promise<void> {
    await this.db.query(`UPDATE session SET password_inputs = jsonb_set(COALESCE(password_inputs, '{}'::jsonb), ARRAY[$3], $4::jsonb) WHERE project_id = $1 AND id = $2`, [
      projectId,
      sessionId,
      windowId,
      JSON.stringify(ids.slice(-1000)),
    ]);
  }

  async findChunk(k: ChunkKey, m: EntityManager = this.db.manager): Promise<StoredChunk | null> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT project_id, session_id, window_id, seq, first_ts, last_ts, event_count, encoding, body, processed_at, facts
         FROM recording_chunk WHERE project_id = $1 AND session_id = $2 AND window_id = $3 AND seq = $4 AND session_day = ${SESSION_DAY}`,
      [k.projectId, k.sessionId, k.windowId, k.seq],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      projectId: r.project_id as string,
      sessionId: r.session_id as string,
      windowId: r.window_id as string,
      seq: r.seq as number,
      firstTs: r.first_ts as Date,
      lastTs: r.last_ts as Date,
      eventCount: r.event_count as number,
      encoding: r.encoding as 'gzip' | 'br',
      body: r.body as Buffer,
      processedAt: r.processed_at as Date | null,
      facts: r.facts,
    };
  }

  /** Chunks stored but never processed, older than `olderThanMs`: what the sweeper re-enqueues. */
  async unprocessedChunks(olderThanMs: number, limit: number): Promise<ChunkKey[]> {
    const rows: Array<{ project_id: string; session_id: string; window_id: string; seq: number }> = await this.db.query(
      `SELECT project_id, session_id, window_id, seq FROM recording_chunk
        WHERE processed_at IS NULL AND received_at < now() - ($1 || ' milliseconds')::interval
        ORDER BY received_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map((r) => ({ projectId: r.project_id, sessionId: r.session_id, windowId: r.window_id, seq: r.seq }));
  }

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * What a chunk's processing needs from before it: the page the previous chunk of the same tab
   * ended on (when that one is processed) and whether the session came from Loupe's recorder.
   */
  async contextBefore(k: ChunkKey): Promise<{ url: string | null; source: string | null }> {
    const rows: Array<{ url: string | null; source: string }> = await this.db.query(
      `SELECT s.source,
              (SELECT c.facts ->> 'endUrl' FROM recording_chunk c
                WHERE c.project_id = s.project_id AND c.session_id = s.id AND c.session_day = s.created_on AND c.window_id = $3 AND c.seq < $4 AND c.facts IS NOT NULL
                ORDER BY c.seq DESC LIMIT 1) AS url
         FROM session s WHERE s.project_id = $1 AND s.id = $2`,
      [k.projectId, k.sessionId, k.windowId, k.seq],
    );
    return { url: rows[0]?.url ?? null, source: rows[0]?.source ?? null };
  }

  async replaceChunkEvents(m: EntityManager, k: ChunkKey, events: TypedEvent[]): Promise<void> {
    await m.query(`DELETE FROM session_event WHERE project_id = $1 AND session_id = $2 AND window_id = $3 AND seq = $4 AND session_day = ${SESSION_DAY}`, [
      k.projectId,
      k.sessionId,
      k.windowId,
      k.seq,
    ]);
    if (events.length === 0) return;
    const col = <T>(f: (e: TypedEvent) => T) => events.map(f);
    await m.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, url, name, selector, text, x, y, props, session_day)
       SELECT $1, $2, $3, $4, u.idx, to_timestamp(u.ts / 1000.0), u.kind, u.url, u.name, u.selector, u.text, u.x, u.y, u.props::jsonb, ${SESSION_DAY}
         FROM unnest($5::int[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::float8[], $14::text[])
           AS u(idx, ts, kind, url, name, selector, text, x, y, props)`,
      [
        k.projectId,
        k.sessionId,
        k.windowId,
        k.seq,
        events.map((_, i) => i),
        col((e) => e.ts),
        col((e) => e.kind),
        col((e) => e.url ?? null),
        col((e) => e.name ?? null),
        col((e) => e.selector ?? null),
        col((e) => e.text ?? null),
        col((e) => e.x ?? null),
        col((e) => e.y ?? null),
        col((e) => (e.props || e.nodeId !== undefined ? JSON.stringify({ ...e.props, ...(e.nodeId !== undefined ? { nodeId: e.nodeId } : {}) }) : null)),
      ],
    );
  }

  /** Stores the chunk's facts and tells the session it has new facts to analyse. */
  async markProcessed(m: EntityManager, k: ChunkKey, facts: StoredChunkFacts): Promise<void> {
    await m.query(
      `WITH chunk AS (
         UPDATE recording_chunk SET processed_at = now(), facts = $5
          WHERE project_id = $1 AND session_id = $2 AND window_id = $3 AND seq = $4 AND session_day = ${SESSION_DAY}
         RETURNING project_id, session_id
       )
       UPDATE session s SET facts_changed_at = clock_timestamp() FROM chunk WHERE s.project_id = chunk.project_id AND s.id = chunk.session_id`,
      [k.projectId, k.sessionId, k.windowId, k.seq, JSON.stringify(facts)],
    );
  }

  /** Chunks of a session still kept as they came (gzip), for compaction once the visit has ended. */
  async gzipChunks(projectId: string, sessionId: string): Promise<ChunkKey[]> {
    const rows: Array<{ window_id: string; seq: number }> = await this.db.query(
      `SELECT window_id, seq FROM recording_chunk
        WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY} AND encoding = 'gzip' AND processed_at IS NOT NULL ORDER BY window_id, seq`,
      [projectId, sessionId],
    );
    return rows.map((r) => ({ projectId, sessionId, windowId: r.window_id, seq: r.seq }));
  }

  /** Replaces a chunk's body only if it is still the one that was read, so a concurrent change is never undone. */
  async replaceBodyIfEncoded(k: ChunkKey, from: 'gzip' | 'br', body: Buffer, encoding: 'gzip' | 'br'): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, count].
    const [, updated] = (await this.db.query(
      `UPDATE recording_chunk SET body = $5, encoding = $6, stored_bytes = $7
        WHERE project_id = $1 AND session_id = $2 AND window_id = $3 AND seq = $4 AND session_day = ${SESSION_DAY} AND encoding = $8`,
      [k.projectId, k.sessionId, k.windowId, k.seq, body, encoding, body.length, from],
    )) as [unknown[], number];
    return updated === 1;
  }
}
