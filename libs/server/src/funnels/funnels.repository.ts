import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Funnel, FunnelInput, FunnelStep } from '@loupe/contracts';
import type { StepEvent } from '@loupe/analytics';

interface FunnelRow {
  id: string;
  project_id: string;
  name: string;
  steps: FunnelStep[];
  window_ms: string;
  step_order: 'strict' | 'loose';
  count_by: 'session' | 'visitor';
  version: number;
  ready_version: number;
  created_at: Date;
  updated_at: Date;
}

export type StoredFunnel = Funnel & { version: number };

const toFunnel = (r: FunnelRow): StoredFunnel => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  steps: r.steps,
  windowMs: Number(r.window_ms),
  order: r.step_order,
  countBy: r.count_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  ready: r.ready_version >= r.version,
  version: r.version,
});

/** The events of one session that funnel steps can match, with what each funnel row needs. */
export interface SessionSteps {
  sessionId: string;
  visitorId: string;
  startedAt: number;
  events: StepEvent[];
}

/** What one session contributes to one funnel: its step hits and how far it went. */
export interface SessionFunnelRows {
  funnelId: string;
  sessionId: string;
  visitorId: string;
  startedAt: number;
  hits: Array<{ step: number; ord: number; ts: number }>;
  reached: number;
  /** When each step reached was done (never before the step before it). */
  stepAt: number[];
}

/**
 * Where dropped sessions went and what they hit is read from the latest this many of them per step:
 * enough for the top pages and signals, and it keeps results fast however many dropped.
 */
export const DROP_SAMPLE = 2000;

/** The only code that reads and writes funnels and the step hits their results are read from. */
@Injectable()
export class FunnelsRepository {
  constructor(private readonly db: DataSource) {}

  async list(projectId: string): Promise<StoredFunnel[]> {
    const rows: FunnelRow[] = await this.db.query('SELECT * FROM funnel WHERE project_id = $1 ORDER BY created_at, id', [projectId]);
    return rows.map(toFunnel);
  }

  async get(projectId: string, id: string): Promise<StoredFunnel | null> {
    const rows: FunnelRow[] = await this.db.query('SELECT * FROM funnel WHERE project_id = $1 AND id = $2', [projectId, id]);
    return rows[0] ? toFunnel(rows[0]) : null;
  }

  async create(projectId: string, f: FunnelInput): Promise<StoredFunnel> {
    const rows: FunnelRow[] = await this.db.query(
      'INSERT INTO funnel (project_id, name, steps, window_ms, step_order, count_by) VALUES ($1, $2, $3::jsonb, $4, $5, $6) RETURNING *',
      [projectId, f.name, JSON.stringify(f.steps), f.windowMs, f.order, f.countBy],
    );
    return toFunnel(rows[0]!);
  }

  /** Replaces the definition; what was matched for the old one is dropped, to be matched again. */
  async update(projectId: string, id: string, f: FunnelInput): Promise<StoredFunnel | null> {
    return this.db.transaction(async (m) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, count].
      const [rows] = (await m.query(
        `UPDATE funnel SET name = $3, steps = $4::jsonb, window_ms = $5, step_order = $6, count_by = $7, version = version + 1, updated_at = now()
          WHERE project_id = $1 AND id = $2 RETURNING *`,
        [projectId, id, f.name, JSON.stringify(f.steps), f.windowMs, f.order, f.countBy],
      )) as [FunnelRow[], number];
      if (!rows[0]) return null;
      await m.query('DELETE FROM funnel_hit WHERE funnel_id = $1', [id]);
      await m.query('DELETE FROM funnel_session WHERE funnel_id = $1', [id]);
      return toFunnel(rows[0]);
    });
  }

  async remove(projectId: string, id: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, count].
    const [, count] = (await this.db.query('DELETE FROM funnel WHERE project_id = $1 AND id = $2', [projectId, id])) as [unknown[], number];
    return count > 0;
  }

  async markReady(id: string, version: number): Promise<void> {
    await this.db.query('UPDATE funnel SET ready_version = GREATEST(ready_version, $2) WHERE id = $1 AND version = $2', [id, version]);
  }

  /** Funnels whose backfill should have finished long ago: the queue lost it, or it failed for good. */
  async unmatched(olderThanMs: number, limit: number): Promise<Array<{ projectId: string; funnelId: string; version: number }>> {
    const rows: Array<{ project_id: string; id: string; version: number }> = await this.db.query(
      `SELECT project_id, id, version FROM funnel WHERE ready_version < version AND updated_at < now() - ($1 || ' milliseconds')::interval ORDER BY updated_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map((r) => ({ projectId: r.project_id, funnelId: r.id, version: r.version }));
  }

  /** A page of the project's session ids, in id order, after `after`. */
  async sessionIdsAfter(projectId: string, after: string | null, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      'SELECT id FROM session WHERE project_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3',
      [projectId, after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The page views, custom events and clicks of these sessions, in time order. */
  async stepEvents(projectId: string, sessionIds: readonly string[]): Promise<SessionSteps[]> {
    const sessions: Array<{ id: string; visitor_id: string; started_at: Date }> = await this.db.query(
      'SELECT id, visitor_id, started_at FROM session WHERE project_id = $1 AND id = ANY($2::text[])',
      [projectId, sessionIds],
    );
    const bySession = new Map<string, SessionSteps>(sessions.map((s) => [s.id, { sessionId: s.id, visitorId: s.visitor_id, startedAt: s.started_at.getTime(), events: [] }]));
    const rows: Array<{ session_id: string; ms: number; kind: string; url: string | null; name: string | null; selector: string | null; text: string | null; props: Record<string, unknown> | null; window_id: string }> =
      await this.db.query(
        `SELECT session_id, extract(epoch FROM ts) * 1000 AS ms, kind, url, name, selector, text, props, window_id
           FROM session_event
          WHERE project_id = $1 AND session_id = ANY($2::text[]) AND kind IN ('pageview', 'custom', 'click')
          ORDER BY session_id, ts, window_id, seq, idx`,
        [projectId, sessionIds],
      );
    for (const r of rows) {
      bySession.get(r.session_id)?.events.push({ ts: Math.round(Number(r.ms)), kind: r.kind, url: r.url, name: r.name, selector: r.selector, text: r.text, props: r.props, windowId: r.window_id });
    }
    return [...bySession.values()];
  }

  /** Replaces, as a whole, what these sessions contribute to these funnels. */
  async replaceSessionRows(projectId: string, funnelIds: readonly string[], sessionIds: readonly string[], rows: readonly SessionFunnelRows[]): Promise<void> {
    if (!funnelIds.length || !sessionIds.length) return;
    await this.db.transaction(async (m: EntityManager) => {
      await m.query('DELETE FROM funnel_hit WHERE funnel_id = ANY($1::uuid[]) AND session_id = ANY($2::text[]) AND project_id = $3', [funnelIds, sessionIds, projectId]);
      await m.query('DELETE FROM funnel_session WHERE funnel_id = ANY($1::uuid[]) AND session_id = ANY($2::text[]) AND project_id = $3', [funnelIds, sessionIds, projectId]);
      const hits = rows.flatMap((r) => r.hits.map((h) => ({ ...h, funnelId: r.funnelId, sessionId: r.sessionId, visitorId: r.visitorId })));
      if (hits.length) {
        await m.query(
          `INSERT INTO funnel_hit (project_id, funnel_id, session_id, visitor_id, step, ord, ts)
           SELECT $1, u.funnel_id, u.session_id, u.visitor_id, u.step, u.ord, to_timestamp(u.ts / 1000.0)
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::int[], $7::float8[]) AS u(funnel_id, session_id, visitor_id, step, ord, ts)`,
          [projectId, hits.map((h) => h.funnelId), hits.map((h) => h.sessionId), hits.map((h) => h.visitorId), hits.map((h) => h.step), hits.map((h) => h.ord), hits.map((h) => h.ts)],
        );
      }
      const reached = rows.filter((r) => r.reached > 0);
      if (reached.length) {
        await m.query(
          `INSERT INTO funnel_session (project_id, funnel_id, session_id, visitor_id, started_at, reached, step_at)
           SELECT $1, u.funnel_id, u.session_id, u.visitor_id, to_timestamp(u.started / 1000.0), u.reached, u.step_at::float8[]
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::int[], $7::text[]) AS u(funnel_id, session_id, visitor_id, started, reached, step_at)`,
          [
            projectId,
            reached.map((r) => r.funnelId),
            reached.map((r) => r.sessionId),
            reached.map((r) => r.visitorId),
            reached.map((r) => r.startedAt),
            reached.map((r) => r.reached),
            reached.map((r) => `{${r.stepAt.join(',')}}`),
          ],
        );
      }
    });
  }

  /** Per-session funnels: how many sessions started in the range reached each number of steps. */
  async reachedCounts(funnelId: string, from: string, to: string): Promise<Map<number, number>> {
    const rows: Array<{ reached: number; n: string }> = await this.db.query(
      'SELECT reached, count(*) AS n FROM funnel_session WHERE funnel_id = $1 AND started_at >= $2::timestamptz AND started_at < $3::timestamptz GROUP BY reached',
      [funnelId, from, to],
    );
    return new Map(rows.map((r) => [Number(r.reached), Number(r.n)]));
  }

  /** Per-session funnels: median and 90th percentile (nearest rank) of the time each step took. */
  async stepTimes(funnelId: string, from: string, to: string): Promise<Map<number, { median: number; p90: number }>> {
    const rows: Array<{ step: number; median: number; p90: number }> = await this.db.query(
      `SELECT i AS step, percentile_disc(0.5) WITHIN GROUP (ORDER BY step_at[i + 1] - step_at[i]) AS median,
              percentile_disc(0.9) WITHIN GROUP (ORDER BY step_at[i + 1] - step_at[i]) AS p90
         FROM funnel_session, generate_series(1, reached - 1) AS i
        WHERE funnel_id = $1 AND started_at >= $2::timestamptz AND started_at < $3::timestamptz AND reached > 1
        GROUP BY i`,
      [funnelId, from, to],
    );
    return new Map(rows.map((r) => [Number(r.step), { median: Number(r.median), p90: Number(r.p90) }]));
  }

  /** Per-session funnels: reached counts for each value of a session attribute. */
  async reachedBy(
    projectId: string,
    funnelId: string,
    from: string,
    to: string,
    breakdown: 'device' | 'browser' | 'entryPage' | 'variant',
    experiment?: string,
  ): Promise<Array<{ value: string | null; reached: number; n: number }>> {
    const value =
      breakdown === 'variant'
        ? `(SELECT e.props ->> 'variant' FROM session_event e WHERE e.project_id = s.project_id AND e.session_id = s.id AND e.kind = 'exposure' AND e.name = $5 ORDER BY e.ts LIMIT 1)`
        : { device: 's.device', browser: 's.browser', entryPage: 's.entry_page' }[breakdown];
    const params: unknown[] = [projectId, funnelId, from, to];
    if (breakdown === 'variant') params.push(experiment ?? '');
    const rows: Array<{ value: string | null; reached: number; n: string }> = await this.db.query(
      `SELECT ${value} AS value, fs.reached, count(*) AS n
         FROM funnel_session fs JOIN session s ON s.project_id = fs.project_id AND s.id = fs.session_id
        WHERE fs.project_id = $1 AND fs.funnel_id = $2 AND fs.started_at >= $3::timestamptz AND fs.started_at < $4::timestamptz
        GROUP BY 1, 2`,
      params,
    );
    return rows.map((r) => ({ value: r.value, reached: Number(r.reached), n: Number(r.n) }));
  }

  /** Per-visitor funnels: the hits of visitors seen on a step in the range, with the window after it. */
  async visitorHits(funnelId: string, from: string, to: string, windowMs: number): Promise<Array<{ visitorId: string; sessionId: string; step: number; ts: number }>> {
    const rows: Array<{ visitor_id: string; session_id: string; step: number; ms: number }> = await this.db.query(
      `SELECT visitor_id, session_id, step, extract(epoch FROM ts) * 1000 AS ms FROM funnel_hit
        WHERE funnel_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz + ($4 || ' milliseconds')::interval
          AND visitor_id IN (SELECT visitor_id FROM funnel_hit WHERE funnel_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz)
        ORDER BY visitor_id, ts, session_id, ord, step`,
      [funnelId, from, to, String(windowMs)],
    );
    return rows.map((r) => ({ visitorId: r.visitor_id, sessionId: r.session_id, step: Number(r.step), ts: Math.round(Number(r.ms)) }));
  }

  /** Per-session funnels: sessions that did `reached` steps and no more, newest first. */
  async droppedSessions(funnelId: string, from: string, to: string, reached: number, limit: number): Promise<Array<{ sessionId: string; at: number }>> {
    const rows: Array<{ session_id: string; at: number }> = await this.db.query(
      `SELECT session_id, step_at[$4] AS at FROM funnel_session
        WHERE funnel_id = $1 AND started_at >= $2::timestamptz AND started_at < $3::timestamptz AND reached = $4
        ORDER BY started_at DESC, session_id LIMIT $5`,
      [funnelId, from, to, reached, limit],
    );
    return rows.map((r) => ({ sessionId: r.session_id, at: Number(r.at) }));
  }

  /**
   * Where dropped sessions went after their last step (the next page view, or `null`: the visit
   * ended) and the signals they hit on the page they were on at that step. The dropped sessions are
   * given as a query over `funnel_session` or as explicit (session, moment) pairs.
   */
  async afterDrop(
    projectId: string,
    dropped: { funnelId: string; from: string; to: string; reached: number } | Array<{ sessionId: string; at: number }>,
  ): Promise<{ nextPages: Array<{ pageKey: string | null; sessions: number }>; signals: Array<{ kind: string; count: number; sessions: number }> }> {
    const params: unknown[] = [projectId];
    let source: string;
    if (Array.isArray(dropped)) {
      params.push(dropped.map((d) => d.sessionId), dropped.map((d) => d.at));
      source = 'SELECT u.session_id, u.at FROM unnest($2::text[], $3::float8[]) AS u(session_id, at)';
    } else {
      params.push(dropped.funnelId, dropped.from, dropped.to, dropped.reached);
      source = `SELECT session_id, step_at[$5] AS at FROM funnel_session
                 WHERE funnel_id = $2 AND started_at >= $3::timestamptz AND started_at < $4::timestamptz AND reached = $5
                 ORDER BY started_at DESC LIMIT ${DROP_SAMPLE}`;
    }
    const base = `WITH dropped AS (${source}),
      placed AS (
        SELECT d.session_id, to_timestamp(d.at / 1000.0) AS at,
               (SELECT v.ts FROM page_view v WHERE v.project_id = $1 AND v.session_id = d.session_id AND v.ts > to_timestamp(d.at / 1000.0) ORDER BY v.ts LIMIT 1) AS next_ts,
               (SELECT v.page_key FROM page_view v WHERE v.project_id = $1 AND v.session_id = d.session_id AND v.ts > to_timestamp(d.at / 1000.0) ORDER BY v.ts LIMIT 1) AS next_key
          FROM dropped d)`;
    const next: Array<{ page_key: string | null; n: string }> = await this.db.query(
      `${base} SELECT next_key AS page_key, count(*) AS n FROM placed GROUP BY next_key ORDER BY n DESC, next_key NULLS FIRST LIMIT 10`,
      params,
    );
    const signals: Array<{ kind: string; n: string; sessions: string }> = await this.db.query(
      `${base} SELECT g.kind, count(*) AS n, count(DISTINCT g.session_id) AS sessions
         FROM placed p JOIN session_signal g ON g.project_id = $1 AND g.session_id = p.session_id AND g.ts >= p.at - interval '1 second' AND (p.next_ts IS NULL OR g.ts < p.next_ts)
        GROUP BY g.kind ORDER BY n DESC, g.kind`,
      params,
    );
    return {
      nextPages: next.map((r) => ({ pageKey: r.page_key, sessions: Number(r.n) })),
      signals: signals.map((r) => ({ kind: r.kind, count: Number(r.n), sessions: Number(r.sessions) })),
    };
  }

  async sessionsInfo(projectId: string, sessionIds: readonly string[]): Promise<Map<string, { visitorId: string; startedAt: Date }>> {
    const rows: Array<{ id: string; visitor_id: string; started_at: Date }> = await this.db.query(
      'SELECT id, visitor_id, started_at FROM session WHERE project_id = $1 AND id = ANY($2::text[])',
      [projectId, sessionIds],
    );
    return new Map(rows.map((r) => [r.id, { visitorId: r.visitor_id, startedAt: r.started_at }]));
  }

  /** What the step editor offers: page keys, custom event names or clicked elements seen lately, busiest first. */
  async suggestions(projectId: string, type: 'page' | 'event' | 'click', q: string | undefined, limit: number): Promise<Array<{ value: string; text?: string; count: number }>> {
    const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : '%';
    const since = "now() - interval '30 days'";
    if (type === 'page') {
      const rows: Array<{ page_key: string; n: string }> = await this.db.query(
        `SELECT page_key, count(*) AS n FROM page_view WHERE project_id = $1 AND ts > ${since} AND page_key ILIKE $2 GROUP BY page_key ORDER BY n DESC, page_key LIMIT $3`,
        [projectId, like, limit],
      );
      return rows.map((r) => ({ value: r.page_key, count: Number(r.n) }));
    }
    if (type === 'event') {
      const rows: Array<{ name: string; n: string }> = await this.db.query(
        `SELECT name, count(*) AS n FROM session_event WHERE project_id = $1 AND kind = 'custom' AND ts > ${since} AND name ILIKE $2 GROUP BY name ORDER BY n DESC, name LIMIT $3`,
        [projectId, like, limit],
      );
      return rows.map((r) => ({ value: r.name, count: Number(r.n) }));
    }
    const rows: Array<{ selector: string; text: string | null; n: string }> = await this.db.query(
      `SELECT selector, min(text) AS text, count(*) AS n FROM session_event
        WHERE project_id = $1 AND kind = 'click' AND selector IS NOT NULL AND ts > ${since} AND (selector ILIKE $2 OR text ILIKE $2)
        GROUP BY selector ORDER BY n DESC, selector LIMIT $3`,
      [projectId, like, limit],
    );
    return rows.map((r) => (r.text ? { value: r.selector, text: r.text, count: Number(r.n) } : { value: r.selector, count: Number(r.n) }));
  }
}
