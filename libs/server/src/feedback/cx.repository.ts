import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CohortActivity, RevenueRow, ScoreCount } from '@loupe/analytics';
import type { CxInterval } from '@loupe/contracts';
import type { SurveyKind } from '@loupe/contracts/feedback';
import { exposedSessionsCondition } from '../experiments/exposures.repository';
import { addFeedbackFilters, Where, type FeedbackFilters } from './feedback-filters';

/** Which visitors the visitor-based figures (retention, churn, lifetime value) count. */
export interface VisitorFilters {
  project: string;
  device?: string;
  experiment?: string;
  variant?: string;
}

interface Counted {
  bucket: number;
  count: number;
}

/** Buckets are cut in UTC, as `bucketOf` in the analytics library cuts them. */
const bucket = (interval: CxInterval, column: string, w: Where) => `date_trunc(${w.param(interval)}, ${column}, 'UTC')`;

/** Sessions (alias `s`) of the visitors the filters keep. */
function addVisitorFilters(w: Where, f: VisitorFilters): Where {
  w.add('s.project_id = {}', f.project);
  if (f.device) w.add('s.device = {}', f.device);
  // The variant a visitor is in is their first exposure, as experiment results count it.
  if (f.experiment) w.add(exposedSessionsCondition((v) => w.param(v), { experiment: f.experiment, variant: f.variant, fromExposure: false }));
  return w;
}

/** The queries behind the CX dashboard; every figure is counted here and computed by the analytics library. */
@Injectable()
export class CxRepository {
  constructor(private readonly db: DataSource) {}

  async scores(f: FeedbackFilters, interval: CxInterval): Promise<Array<ScoreCount & { bucket: number; kind: SurveyKind }>> {
    const w = new Where();
    const b = bucket(interval, 'a.created_at', w);
    addFeedbackFilters(w, f, { alias: 'a' }).add('a.score IS NOT NULL');
    const rows: Array<{ bucket: Date; kind: SurveyKind; scale_min: number; scale_max: number; score: number; n: number }> = await this.db.query(
      `SELECT ${b} AS bucket, a.kind, a.scale_min, a.scale_max, a.score, count(*)::int AS n FROM feedback a WHERE ${w.sql} GROUP BY 1, 2, 3, 4, 5`,
      w.params,
    );
    return rows.map((r) => ({ bucket: r.bucket.getTime(), kind: r.kind, score: r.score, count: r.n, min: r.scale_min, max: r.scale_max }));
  }

  async answers(f: FeedbackFilters, interval: CxInterval): Promise<Counted[]> {
    const w = new Where();
    const b = bucket(interval, 'a.created_at', w);
    addFeedbackFilters(w, f, { alias: 'a' });
    return this.counted(`SELECT ${b} AS bucket, count(*)::int AS n FROM feedback a WHERE ${w.sql} GROUP BY 1`, w.params);
  }

  /** Showings of surveys; filters on scores do not apply to them. */
  async shown(f: FeedbackFilters, interval: CxInterval): Promise<Counted[]> {
    const w = new Where();
    const b = bucket(interval, 'i.created_at', w);
    addFeedbackFilters(w, f, { alias: 'i', kindColumn: 'survey_kind', scores: false }).add(`i.kind = 'shown'`);
    return this.counted(`SELECT ${b} AS bucket, count(*)::int AS n FROM survey_impression i WHERE ${w.sql} GROUP BY 1`, w.params);
  }

  /** Answers resolved within the range, in the bucket of their resolution, with their time to resolution. */
  async resolutions(f: FeedbackFilters & { from: string; to: string }, interval: CxInterval): Promise<Array<{ bucket: number; ms: number }>> {
    const w = new Where();
    const b = bucket(interval, 'a.resolved_at', w);
    addFeedbackFilters(w, f, { alias: 'a', time: null }).add(`a.status = 'resolved'`).add('a.resolved_at >= {}', f.from).add('a.resolved_at < {}', f.to);
    const rows: Array<{ bucket: Date; ms: number }> = await this.db.query(
      `SELECT ${b} AS bucket, (extract(epoch FROM a.resolved_at - a.created_at) * 1000)::float8 AS ms FROM feedback a WHERE ${w.sql}`,
      w.params,
    );
    return rows.map((r) => ({ bucket: r.bucket.getTime(), ms: r.ms }));
  }

  /** Visitors first seen in `[from, to)`, by the week of their first visit and the weeks they came back. */
  async retention(f: VisitorFilters, from: string, to: string): Promise<CohortActivity[]> {
    const w = addVisitorFilters(new Where(), f);
    const pFrom = w.param(from);
    const pTo = w.param(to);
    const rows: Array<{ cohort: Date; week: number; visitors: number }> = await this.db.query(
      `WITH sessions AS (SELECT s.visitor_id, s.started_at FROM session s WHERE ${w.sql} AND s.started_at < ${pTo}),
            firsts AS (SELECT visitor_id, min(started_at) AS first FROM sessions GROUP BY visitor_id HAVING min(started_at) >= ${pFrom})
       SELECT date_trunc('week', p.first, 'UTC') AS cohort,
              round(extract(epoch FROM date_trunc('week', x.started_at, 'UTC') - date_trunc('week', p.first, 'UTC')) / 604800)::int AS week,
              count(DISTINCT x.visitor_id)::int AS visitors
         FROM firsts p JOIN sessions x ON x.visitor_id = p.visitor_id
        GROUP BY 1, 2`,
      w.params,
    );
    return rows.map((r) => ({ cohort: r.cohort.getTime(), offset: r.week, visitors: r.visitors }));
  }

  /**
   * Churn at each evaluation time `at`: identified visitors (user ids) with a session in the period
   * before the last one (`[at − 2p, at − p)`), and how many of them had none in the last (`[at − p, at)`).
   */
  async churn(f: VisitorFilters, points: Array<{ bucket: number; at: number }>, periodDays: number): Promise<Array<{ bucket: number; active: number; churned: number }>> {
    if (points.length === 0) return [];
    const w = addVisitorFilters(new Where(), f).add('s.user_id IS NOT NULL');
    const earliest = Math.min(...points.map((p) => p.at)) - 2 * periodDays * 86_400_000;
    const latest = Math.max(...points.map((p) => p.at));
    w.add('s.started_at >= {}', new Date(earliest).toISOString()).add('s.started_at < {}', new Date(latest).toISOString());
    const buckets = w.param(points.map((p) => new Date(p.bucket).toISOString()));
    const ats = w.param(points.map((p) => new Date(p.at).toISOString()));
    const period = w.param(`${periodDays} days`);
    const rows: Array<{ bucket: Date; active: number; churned: number }> = await this.db.query(
      `WITH points AS (SELECT * FROM unnest(${buckets}::timestamptz[], ${ats}::timestamptz[]) AS t(bucket, at)),
            -- Materialized: inlined into the lateral join below, it would be computed again for every point.
            visits AS MATERIALIZED (SELECT s.user_id, s.started_at FROM session s WHERE ${w.sql})
       SELECT p.bucket, count(*)::int AS active, count(*) FILTER (WHERE NOT u.returned)::int AS churned
         FROM points p
         JOIN LATERAL (
           SELECT v.user_id, bool_or(v.started_at >= p.at - ${period}::interval) AS returned
             FROM visits v
            WHERE v.started_at >= p.at - 2 * ${period}::interval AND v.started_at < p.at
            GROUP BY v.user_id
           HAVING bool_or(v.started_at < p.at - ${period}::interval)
         ) u ON true
        GROUP BY p.bucket`,
      w.params,
    );
    return rows.map((r) => ({ bucket: r.bucket.getTime(), active: r.active, churned: r.churned }));
  }

  /**
   * Revenue per identified visitor and bucket, over all time up to `to`: the numeric `property` of
   * each custom event named `event`. A session without a user id counts for the user its visitor
   * was identified as in another session.
   */
  async revenue(f: VisitorFilters, event: string, property: string, to: string, interval: CxInterval): Promise<RevenueRow[]> {
    const w = addVisitorFilters(new Where(), f);
    const b = bucket(interval, 'e.ts', w);
    const pEvent = w.param(event);
    const pProp = w.param(property);
    const pTo = w.param(to);
    const rows: Array<{ person: string; bucket: Date; revenue: number }> = await this.db.query(
      `SELECT p.person, ${b} AS bucket, sum((e.props ->> ${pProp})::float8)::float8 AS revenue
         FROM session_event e
         JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id AND s.created_on = e.session_day
         CROSS JOIN LATERAL (
           SELECT COALESCE(s.user_id, (SELECT o.user_id FROM session o WHERE o.project_id = s.project_id AND o.visitor_id = s.visitor_id AND o.user_id IS NOT NULL
                                        ORDER BY o.started_at DESC LIMIT 1)) AS person
         ) p
        WHERE ${w.sql} AND e.project_id = s.project_id AND e.kind = 'custom' AND e.name = ${pEvent} AND e.ts < ${pTo}
          AND jsonb_typeof(e.props -> ${pProp}) = 'number' AND p.person IS NOT NULL
        GROUP BY 1, 2`,
      w.params,
    );
    return rows.map((r) => ({ person: r.person, bucket: r.bucket.getTime(), revenue: r.revenue }));
  }

  /** Scores of one kind by the variant of `experiment` each answering visitor saw. */
  async variantScores(q: { project: string; experiment: string; kind: SurveyKind; survey?: string; from?: string; to?: string }): Promise<Array<ScoreCount & { variant: string }>> {
    const w = addFeedbackFilters(new Where(), { project: q.project, kind: q.kind, survey: q.survey, from: q.from, to: q.to, experiment: q.experiment }, { alias: 'a' }).add('a.score IS NOT NULL');
    const exp = w.param(q.experiment);
    const rows: Array<{ variant: string; scale_min: number; scale_max: number; score: number; n: number }> = await this.db.query(
      `SELECT a.variants ->> ${exp} AS variant, a.scale_min, a.scale_max, a.score, count(*)::int AS n FROM feedback a WHERE ${w.sql} GROUP BY 1, 2, 3, 4`,
      w.params,
    );
    return rows.map((r) => ({ variant: r.variant, score: r.score, count: r.n, min: r.scale_min, max: r.scale_max }));
  }

  private async counted(sql: string, params: unknown[]): Promise<Counted[]> {
    const rows: Array<{ bucket: Date; n: number }> = await this.db.query(sql, params);
    return rows.map((r) => ({ bucket: r.bucket.getTime(), count: r.n }));
  }
}
