import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SESSION_DAY } from './recordings.repository';
import type { ChunkView, SessionListQuery, SessionSummary, SignalKind, SignalView, TypedEventView } from '@loupe/contracts';
import { exposedSessionsCondition } from '../experiments/exposures.repository';

interface SessionRow {
  id: string;
  visitor_id: string;
  user_id: string | null;
  started_at: Date;
  last_event_at: Date;
  duration_ms: string;
  active_ms: string;
  entry_url: string | null;
  exit_url: string | null;
  page_count: number;
  click_count: number;
  error_count: number;
  event_count: number;
  device: string | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  viewport_width: number | null;
  viewport_height: number | null;
  signal_counts: Record<string, number>;
  frustration_score: number;
  entry_page: string | null;
  exit_page: string | null;
  bounced: boolean;
  ended: boolean;
  unprocessed: number;
}

const SESSION_COLUMNS = `s.id, s.visitor_id, s.user_id, s.started_at, s.last_event_at, s.duration_ms, s.active_ms, s.entry_url, s.exit_url,
  s.page_count, s.click_count, s.error_count, s.event_count, s.device, s.browser, s.os, s.country, s.viewport_width, s.viewport_height,
  s.signal_counts, s.frustration_score, s.entry_page, s.exit_page, s.bounced, s.ended_at IS NOT NULL AS ended,
  (SELECT count(*)::int FROM recording_chunk c WHERE c.project_id = s.project_id AND c.session_id = s.id AND c.session_day = s.created_on AND c.processed_at IS NULL)
    + CASE WHEN s.facts_changed_at IS NOT NULL AND (s.analysed_at IS NULL OR s.analysed_at < s.facts_changed_at) THEN 1 ELSE 0 END AS unprocessed`;

/** Reads sessions for the console and the API; writes belong to the recordings repository. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly db: DataSource) {}

  async list(q: SessionListQuery, after: { startedAt: string; id: string } | null): Promise<SessionSummary[]> {
    const where: string[] = ['s.project_id = $1'];
    const params: unknown[] = [q.project];
    // Each `?` in a condition stands for the one value it is given.
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (q.from) add('s.started_at >= ?', q.from);
    if (q.to) add('s.started_at < ?', q.to);
    if (q.user) add('(s.user_id = ? OR s.visitor_id = ?)', q.user);
    if (q.minDuration !== undefined) add('s.duration_ms >= ?', q.minDuration);
    if (q.maxDuration !== undefined) add('s.duration_ms <= ?', q.maxDuration);
    if (q.device) add('s.device = ?', q.device);
    if (q.browser) add('lower(s.browser) = lower(?)', q.browser);
    if (q.country) add('s.country = ?', q.country);
    if (q.hasError !== undefined) where.push(q.hasError ? 's.error_count > 0' : 's.error_count = 0');
    if (q.signal === 'any') where.push('s.signal_total > 0');
    else if (q.signal) {
      // Written out: `?` is also jsonb's key-exists operator, which the session's GIN index serves.
      params.push(q.signal);
      where.push(`s.signal_counts ? $${params.length}`);
    }
    if (q.minFrustration !== undefined) add('s.frustration_score >= ?', q.minFrustration);
    if (q.entryPage) add('s.entry_page = ?', q.entryPage);
    if (q.bounced !== undefined) add('s.bounced = ?', q.bounced);
    if (q.exitPage) add('s.exit_page = ?', q.exitPage);
    if (q.page) add('EXISTS (SELECT 1 FROM page_view v WHERE v.project_id = s.project_id AND v.session_id = s.id AND v.page_key = ?)', q.page);
    if (q.signalPage) {
      params.push(q.signalPage, q.signal && q.signal !== 'any' ? q.signal : null);
      const [page, kind] = [`$${params.length - 1}`, `$${params.length}`];
      where.push(`EXISTS (SELECT 1 FROM session_signal g WHERE g.project_id = s.project_id AND g.session_id = s.id AND g.page_key = ${page} AND (${kind}::text IS NULL OR g.kind = ${kind}))`);
    }
    if (q.url) {
      add(
        `(s.entry_url ILIKE ? OR EXISTS (SELECT 1 FROM session_event e WHERE e.project_id = s.project_id AND e.session_id = s.id AND e.session_day = s.created_on AND e.kind = 'pageview' AND e.url ILIKE ?))`,
        `%${escapeLike(q.url)}%`,
      );
    }
    if (q.experiment) {
      where.push(
        exposedSessionsCondition(
          (value) => {
            params.push(value);
            return `$${params.length}`;
          },
          { experiment: q.experiment, variant: q.variant, fromExposure: true },
        ),
      );
    }
    if (after) {
      params.push(after.startedAt, after.id);
      where.push(`(s.started_at, s.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(q.limit);
    const rows: SessionRow[] = await this.db.query(
      `SELECT ${SESSION_COLUMNS} FROM session s WHERE ${where.join(' AND ')} ORDER BY s.started_at DESC, s.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSummary);
  }

  async find(projectId: string, sessionId: string): Promise<SessionSummary | null> {
    const rows: SessionRow[] = await this.db.query(`SELECT ${SESSION_COLUMNS} FROM session s WHERE s.project_id = $1 AND s.id = $2`, [projectId, sessionId]);
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async typedEvents(projectId: string, sessionId: string, limit = 5000): Promise<TypedEventView[]> {
    const rows: Array<{ ts: Date; kind: string; url: string | null; name: string | null; selector: string | null; text: string | null; x: number | null; y: number | null; props: Record<string, unknown> | null }> =
      await this.db.query(
        `SELECT ts, kind, url, name, selector, text, x, y, props FROM session_event
          WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY} AND kind <> 'scroll' ORDER BY ts, window_id, seq, idx LIMIT $3`,
        [projectId, sessionId, limit],
      );
    return rows.map((r) => ({ ...r, ts: r.ts.toISOString() }));
  }

  async signals(projectId: string, sessionId: string): Promise<SignalView[]> {
    const rows: Array<{ kind: SignalKind; ts: Date; url: string | null; page_key: string | null; selector: string | null; text: string | null; x: number | null; y: number | null; details: Record<string, unknown> }> =
      await this.db.query(
        'SELECT kind, ts, url, page_key, selector, text, x, y, details FROM session_signal WHERE project_id = $1 AND session_id = $2 ORDER BY idx',
        [projectId, sessionId],
      );
    return rows.map((r) => ({ kind: r.kind, ts: r.ts.toISOString(), url: r.url, pageKey: r.page_key, selector: r.selector, text: r.text, x: r.x, y: r.y, details: r.details }));
  }

  async chunks(projectId: string, sessionId: string): Promise<ChunkView[]> {
    const rows: Array<{ window_id: string; seq: number; first_ts: Date; last_ts: Date; event_count: number; full_snapshots: number[] | null }> = await this.db.query(
      `SELECT window_id, seq, first_ts, last_ts, event_count, facts -> 'fullSnapshots' AS full_snapshots FROM recording_chunk
        WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY} ORDER BY first_ts, window_id, seq`,
      [projectId, sessionId],
    );
    return rows.map((r) => ({
      windowId: r.window_id,
      seq: r.seq,
      firstTs: r.first_ts.toISOString(),
      lastTs: r.last_ts.toISOString(),
      eventCount: r.event_count,
      fullSnapshots: Array.isArray(r.full_snapshots) ? r.full_snapshots : [],
    }));
  }

  async chunkBodies(projectId: string, sessionId: string, keys?: Array<{ windowId: string; seq: number }>): Promise<Array<{ windowId: string; seq: number; encoding: 'gzip' | 'br'; body: Buffer }>> {
    const params: unknown[] = [projectId, sessionId];
    let filter = '';
    if (keys) {
      params.push(keys.map((k) => k.windowId), keys.map((k) => k.seq));
      filter = ' AND (window_id, seq) IN (SELECT * FROM unnest($3::text[], $4::int[]))';
    }
    const rows: Array<{ window_id: string; seq: number; encoding: 'gzip' | 'br'; body: Buffer }> = await this.db.query(
      `SELECT window_id, seq, encoding, body FROM recording_chunk WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY}${filter} ORDER BY first_ts, window_id, seq`,
      params,
    );
    return rows.map((r) => ({ windowId: r.window_id, seq: r.seq, encoding: r.encoding, body: r.body }));
  }
}

function toSummary(r: SessionRow): SessionSummary {
  return {
    id: r.id,
    visitorId: r.visitor_id,
    userId: r.user_id,
    startedAt: r.started_at.toISOString(),
    lastEventAt: r.last_event_at.toISOString(),
    durationMs: Number(r.duration_ms),
    activeMs: Number(r.active_ms),
    entryUrl: r.entry_url,
    exitUrl: r.exit_url,
    pageCount: r.page_count,
    clickCount: r.click_count,
    errorCount: r.error_count,
    eventCount: r.event_count,
    device: r.device,
    browser: r.browser,
    os: r.os,
    country: r.country,
    viewport: r.viewport_width && r.viewport_height ? { width: r.viewport_width, height: r.viewport_height } : null,
    signalCounts: r.signal_counts ?? {},
    frustrationScore: Number(r.frustration_score),
    entryPage: r.entry_page,
    exitPage: r.exit_page,
    bounced: r.bounced,
    ended: r.ended,
    processed: r.unprocessed === 0,
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
