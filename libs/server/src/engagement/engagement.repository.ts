import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MetricsPoint, MetricsQuery } from '@loupe/contracts';
import type { PathTransition } from '@loupe/analytics';

type Range = MetricsQuery & { from: string; to: string };

/** The sessions a metrics query is about: started in the range, of the device and browser asked. */
const SESSIONS = `s.project_id = $1 AND s.started_at >= $2::timestamptz AND s.started_at < $3::timestamptz
  AND ($4::text IS NULL OR s.device = $4) AND ($5::text IS NULL OR s.browser ILIKE $5)`;
const sessionParams = (q: Range) => [q.project, q.from, q.to, q.device ?? null, q.browser ?? null];

interface PointRow {
  bucket: Date | null;
  sessions: string;
  page_views: string | null;
  visitors: string;
  new_in_bucket: string;
  new_in_range: string;
  avg_ms: number | null;
  median_ms: number | null;
  avg_active_ms: number | null;
  median_active_ms: number | null;
  bounces: string;
  logins: string;
}

/** Reads journeys and engagement metrics from sessions, page views and typed events. */
@Injectable()
export class EngagementRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Page-to-page transitions of the sessions that viewed `page` in the range, from its first view
   * onwards (`next`) or from its last view backwards (`previous`), `depth` levels deep. A null
   * `toKey` is a visit that ended (or, backwards, began) there.
   */
  async transitions(projectId: string, page: string, from: string, to: string, depth: number, direction: 'next' | 'previous'): Promise<{ sessions: number; transitions: PathTransition[] }> {
    const next = direction === 'next';
    const order = next ? 'v.ts, v.idx' : 'v.ts DESC, v.idx DESC';
    // One pass over the views from the anchor on: each view with the one after it (lead).
    const rows: Array<{ level: number; from_key: string; to_key: string | null; n: string; starts: string }> = await this.db.query(
      `WITH anchor AS (
         SELECT session_id, ${next ? 'min' : 'max'}(ts) AS at FROM page_view
          WHERE project_id = $1 AND page_key = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz
          GROUP BY session_id
       )
       SELECT level + 1 AS level, from_key, to_key, count(*) AS n, (SELECT count(*) FROM anchor) AS starts
         FROM (
           SELECT v.page_key AS from_key, lead(v.page_key) OVER w AS to_key, row_number() OVER w - 1 AS level
             FROM page_view v JOIN anchor a ON v.session_id = a.session_id
            WHERE v.project_id = $1 AND v.ts ${next ? '>=' : '<='} a.at
           WINDOW w AS (PARTITION BY v.session_id ORDER BY ${order})
         ) walk
        WHERE level < $5
        GROUP BY 1, 2, 3`,
      [projectId, page, from, to, depth],
    );
    const sessions = rows[0] ? Number(rows[0].starts) : Number((await this.db.query('SELECT count(DISTINCT session_id) AS n FROM page_view WHERE project_id = $1 AND page_key = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz', [projectId, page, from, to]))[0].n);
    return { sessions, transitions: rows.map((r) => ({ level: Number(r.level), fromKey: r.from_key, toKey: r.to_key, sessions: Number(r.n) })) };
  }

  /** Session metrics per bucket, and over the whole range (the row whose bucket is null). */
  async points(q: Range, bucket: 'hour' | 'day' | 'week' | 'month'): Promise<Array<{ bucket: number | null; point: Omit<MetricsPoint, 'start'> }>> {
    const rows: PointRow[] = await this.db.query(
      `WITH s AS (
         SELECT s.visitor_id, s.duration_ms, s.active_ms, s.bounced, s.user_id,
                date_trunc('${bucket}', s.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
                (SELECT count(*) FROM page_view v WHERE v.project_id = s.project_id AND v.session_id = s.id) AS views,
                (SELECT min(p.started_at) FROM session p WHERE p.project_id = s.project_id AND p.visitor_id = s.visitor_id) AS first_seen
           FROM session s WHERE ${SESSIONS}
       )
       SELECT bucket, count(*) AS sessions, sum(views) AS page_views, count(DISTINCT visitor_id) AS visitors,
              count(DISTINCT visitor_id) FILTER (WHERE first_seen >= bucket) AS new_in_bucket,
              count(DISTINCT visitor_id) FILTER (WHERE first_seen >= $2::timestamptz) AS new_in_range,
              avg(duration_ms) AS avg_ms, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median_ms,
              avg(active_ms) AS avg_active_ms, percentile_cont(0.5) WITHIN GROUP (ORDER BY active_ms) AS median_active_ms,
              count(*) FILTER (WHERE bounced) AS bounces, count(*) FILTER (WHERE user_id IS NOT NULL) AS logins
         FROM s GROUP BY GROUPING SETS ((bucket), ())`,
      sessionParams(q),
    );
    return rows.map((r) => {
      const sessions = Number(r.sessions);
      const visitors = Number(r.visitors);
      const fresh = Number(r.bucket === null ? r.new_in_range : r.new_in_bucket);
      const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));
      return {
        bucket: r.bucket === null ? null : r.bucket.getTime(),
        point: {
          sessions,
          pageViews: Number(r.page_views ?? 0),
          uniqueVisitors: visitors,
          newVisitors: fresh,
          returningVisitors: visitors - fresh,
          pagesPerSession: sessions ? Number(r.page_views ?? 0) / sessions : null,
          avgSessionMs: ms(r.avg_ms),
          medianSessionMs: ms(r.median_ms),
          avgActiveMs: ms(r.avg_active_ms),
          medianActiveMs: ms(r.median_active_ms),
          bounceRate: sessions ? Number(r.bounces) / sessions : null,
          logins: Number(r.logins),
        },
      };
    });
  }

  async timeOnPage(q: Range, limit = 20) {
    const rows: Array<{ page_key: string; views: string; avg_ms: number; median_ms: number; exits: string; median_scroll: number | null }> = await this.db.query(
      `SELECT v.page_key, count(*) AS views, avg(v.duration_ms) AS avg_ms, percentile_cont(0.5) WITHIN GROUP (ORDER BY v.duration_ms) AS median_ms,
              count(*) FILTER (WHERE v.is_exit) AS exits,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY v.max_scroll_depth) AS median_scroll
         FROM page_view v JOIN session s ON s.project_id = v.project_id AND s.id = v.session_id
        WHERE ${SESSIONS}
        GROUP BY v.page_key ORDER BY count(*) DESC, v.page_key LIMIT ${limit}`,
      sessionParams(q),
    );
    return rows.map((r) => ({
      pageKey: r.page_key,
      views: Number(r.views),
      avgMs: Math.round(Number(r.avg_ms)),
      medianMs: Math.round(Number(r.median_ms)),
      // Views whose recorder reported no depth (older SDKs) are left out rather than counted as 0.
      medianScrollDepth: r.median_scroll === null ? null : Number(r.median_scroll),
      exits: Number(r.exits),
    }));
  }

  async featureUsage(q: Range, limit = 20) {
    const rows: Array<{ name: string; n: string; sessions: string }> = await this.db.query(
      `SELECT e.name, count(*) AS n, count(DISTINCT e.session_id) AS sessions
         FROM session_event e JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id
        WHERE ${SESSIONS} AND e.kind = 'custom'
        GROUP BY e.name ORDER BY count(*) DESC, e.name LIMIT ${limit}`,
      sessionParams(q),
    );
    return rows.map((r) => ({ name: r.name, count: Number(r.n), sessions: Number(r.sessions) }));
  }

  /** Sessions that viewed a page the element was clicked on, and those of them that clicked it. */
  async clickThrough(q: Range, selector: string) {
    const [r]: Array<{ exposed: string; clicked: string }> = await this.db.query(
      `WITH s AS (SELECT s.project_id, s.id FROM session s WHERE ${SESSIONS}),
       pages AS (
         SELECT DISTINCT v.page_key FROM page_view v
          WHERE v.project_id = $1 AND v.url IN (SELECT DISTINCT e.url FROM session_event e JOIN s ON s.id = e.session_id WHERE e.project_id = $1 AND e.kind = 'click' AND e.selector = $6)
       )
       SELECT (SELECT count(DISTINCT v.session_id) FROM page_view v JOIN s ON s.id = v.session_id WHERE v.project_id = $1 AND v.page_key IN (SELECT page_key FROM pages)) AS exposed,
              (SELECT count(DISTINCT e.session_id) FROM session_event e JOIN s ON s.id = e.session_id
                WHERE e.project_id = $1 AND e.kind = 'click' AND e.selector = $6
                  AND EXISTS (SELECT 1 FROM page_view v WHERE v.project_id = $1 AND v.session_id = e.session_id AND v.page_key IN (SELECT page_key FROM pages))) AS clicked`,
      [...sessionParams(q), selector],
    );
    const sessions = Number(r?.exposed ?? 0);
    const clicked = Number(r?.clicked ?? 0);
    return { selector, sessions, clicked, rate: sessions ? clicked / sessions : null };
  }

  /**
   * For each session of the range, the first moment it did `step` (a page key when it starts with
   * `/`, a custom event name otherwise): the rows goal conversion and cart abandonment count.
   */
  private stepSql(param: string): string {
    return `CASE WHEN left(${param}, 1) = '/'
      THEN (SELECT min(v.ts) FROM page_view v WHERE v.project_id = s.project_id AND v.session_id = s.id AND v.page_key = ${param})
      ELSE (SELECT min(e.ts) FROM session_event e WHERE e.project_id = s.project_id AND e.session_id = s.id AND e.kind = 'custom' AND e.name = ${param}) END`;
  }

  async conversion(q: Range, goal: string) {
    const [r]: Array<{ sessions: string; converted: string }> = await this.db.query(
      `SELECT count(*) AS sessions, count(*) FILTER (WHERE (${this.stepSql('$6')}) IS NOT NULL) AS converted FROM session s WHERE ${SESSIONS}`,
      [...sessionParams(q), goal],
    );
    const sessions = Number(r?.sessions ?? 0);
    const converted = Number(r?.converted ?? 0);
    return { goal, sessions, converted, rate: sessions ? converted / sessions : null };
  }

  async cartAbandonment(q: Range, cartStep: string, checkoutStep: string) {
    const [r]: Array<{ carts: string; checkouts: string }> = await this.db.query(
      `SELECT count(*) FILTER (WHERE cart IS NOT NULL) AS carts, count(*) FILTER (WHERE cart IS NOT NULL AND checkout >= cart) AS checkouts
         FROM (SELECT ${this.stepSql('$6')} AS cart, ${this.stepSql('$7')} AS checkout FROM session s WHERE ${SESSIONS}) x`,
      [...sessionParams(q), cartStep, checkoutStep],
    );
    const carts = Number(r?.carts ?? 0);
    const checkouts = Number(r?.checkouts ?? 0);
    return { cartStep, checkoutStep, carts, checkouts, rate: carts ? (carts - checkouts) / carts : null };
  }
}
