import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Which visitors and which moments an experiment's figures count. */
export interface ExperimentScope {
  projectId: string;
  experimentKey: string;
  /** The experiment's variant keys; exposures to any other key are left out. */
  variants: string[];
  /** Exposures before this moment are left out (ISO). */
  from: string | null;
  /** Exposures and events from this moment are left out (ISO). */
  to: string | null;
}

/** Sums over the visitors of one variant first exposed on one UTC day. */
export interface DayStatistics {
  variant: string;
  /** Epoch ms of the UTC day, or null when the source does not split by day. */
  day: number | null;
  n: number;
  /** Σ value (the numerator's, for a ratio). */
  sum: number;
  sumSquares: number;
  /** Ratios only: Σ and Σ² of the denominator, and Σ value × denominator. */
  denominator?: { sum: number; sumSquares: number };
  sumProducts?: number;
}

/**
 * A per-visitor source: rows `(visitor_id, ts, value)` (alias `c`), joined to each exposed visitor's
 * rows from their exposure on. `value` and `denominator` are aggregates over a visitor's rows.
 */
interface PerVisitor {
  source: string;
  params: unknown[];
  value: string;
  denominator?: string;
  /** Per-visitor values above this percentile of the non-zero ones are lowered to it. */
  cap?: number;
}

/** The exposures an experiment's figures count, as `experiment_exposure x`. */
const EXPOSED_WHERE = `x.project_id = $1 AND x.experiment_key = $2 AND x.variant = ANY($3::text[])
                    AND ($4::timestamptz IS NULL OR x.first_ts >= $4) AND ($5::timestamptz IS NULL OR x.first_ts < $5)`;
/** Events counted end where the experiment ends. */
const BEFORE_END = (column: string) => `($5::timestamptz IS NULL OR ${column} < $5)`;

/**
 * The queries behind an experiment's metrics: each turns stored events into sums per variant (and
 * day of exposure) that the statistics engine takes as they are. Only what a visitor did at or after
 * their first exposure counts.
 */
@Injectable()
export class ExperimentMetricsRepository {
  private readonly counted = new WeakMap<ExperimentScope, Promise<Array<{ variant: string; day: number; n: number }>>>();

  constructor(private readonly db: DataSource) {}

  /** Visitors exposed per variant (any key, so that unknown keys can be reported). */
  async exposures(scope: ExperimentScope): Promise<Array<{ variant: string; visitors: number }>> {
    const perVariant = new Map<string, number>();
    for (const r of await this.exposedByDay(scope)) perVariant.set(r.variant, (perVariant.get(r.variant) ?? 0) + r.n);
    return [...perVariant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([variant, visitors]) => ({ variant, visitors }));
  }

  /**
   * Visitors exposed per variant (any key) and UTC day of exposure. Every per-visitor metric of one
   * analysis needs these same counts, and counting a million exposures is a large part of each
   * metric's cost, so one count is shared by everything that asks with the same scope object.
   */
  private exposedByDay(scope: ExperimentScope): Promise<Array<{ variant: string; day: number; n: number }>> {
    let counted = this.counted.get(scope);
    if (!counted) {
      counted = this.db
        .query(
          `SELECT variant, date_trunc('day', first_ts, 'UTC') AS day, count(*)::int AS n FROM experiment_exposure
            WHERE project_id = $1 AND experiment_key = $2 AND ($3::timestamptz IS NULL OR first_ts >= $3) AND ($4::timestamptz IS NULL OR first_ts < $4)
            GROUP BY 1, 2`,
          [scope.projectId, scope.experimentKey, scope.from, scope.to],
        )
        .then((rows: Array<{ variant: string; day: Date; n: number }>) => rows.map((r) => ({ variant: r.variant, day: r.day.getTime(), n: r.n })));
      this.counted.set(scope, counted);
      // A failed count is not kept: the next analysis asks again.
      counted.catch(() => this.counted.delete(scope));
    }
    return counted;
  }

  /** Exposed visitors per experiment key of a project, by variant: the experiments list. */
  async exposuresByExperiment(projectId: string, keys: string[]): Promise<Array<{ key: string; variant: string; visitors: number }>> {
    return this.db.query(
      `SELECT experiment_key AS key, variant, count(*)::int AS visitors FROM experiment_exposure
        WHERE project_id = $1 AND experiment_key = ANY($2::text[]) GROUP BY 1, 2`,
      [projectId, keys],
    );
  }

  eventConversion(scope: ExperimentScope, event: string): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT s.visitor_id, e.ts, 1 AS value FROM session_event e JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id
                WHERE e.project_id = $1 AND e.kind = 'custom' AND e.name = $6 AND ${BEFORE_END('e.ts')}`,
      params: [event],
      value: '(count(c.ts) > 0)::int',
    });
  }

  /** Whether a funnel of this project has this id (ids are uuids; anything else is no funnel). */
  async funnelExists(projectId: string, funnelId: string): Promise<boolean> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(funnelId)) return false;
    const rows: unknown[] = await this.db.query('SELECT 1 FROM funnel WHERE id = $1 AND project_id = $2', [funnelId, projectId]);
    return rows.length > 0;
  }

  /**
   * Visitors with a visit that went through the whole funnel, its last step reached at or after
   * their exposure: read from what the session analysis keeps per session and funnel, so the
   * funnel's own rules (order, window, repeated steps) decide what completing it means.
   */
  funnelConversion(scope: ExperimentScope, funnelId: string): Promise<DayStatistics[]> {
    const doneAt = 'to_timestamp(fs.step_at[fs.reached] / 1000.0)';
    return this.perVisitor(scope, {
      source: `SELECT fs.visitor_id, ${doneAt} AS ts, 1 AS value
                 FROM funnel_session fs JOIN funnel f ON f.id = fs.funnel_id AND f.project_id = fs.project_id
                WHERE fs.project_id = $1 AND fs.funnel_id = $6::uuid AND fs.reached = jsonb_array_length(f.steps) AND ${BEFORE_END(doneAt)}`,
      params: [funnelId],
      value: '(count(c.ts) > 0)::int',
    });
  }

  pageConversion(scope: ExperimentScope, pageKey: string): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT v.visitor_id, v.ts, 1 AS value FROM page_view v WHERE v.project_id = $1 AND v.page_key = $6 AND ${BEFORE_END('v.ts')}`,
      params: [pageKey],
      value: '(count(c.ts) > 0)::int',
    });
  }

  /** Σ of a numeric property per visitor; with it, the number of events that carried it (for a mean per event). */
  eventProperty(scope: ExperimentScope, event: string, property: string, cap?: number): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT s.visitor_id, e.ts, CASE WHEN jsonb_typeof(e.props -> $7::text) = 'number' THEN (e.props ->> $7::text)::float8 END AS value
                 FROM session_event e JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id
                WHERE e.project_id = $1 AND e.kind = 'custom' AND e.name = $6 AND ${BEFORE_END('e.ts')}`,
      params: [event, property],
      value: 'coalesce(sum(c.value), 0)',
      denominator: 'count(c.value)',
      cap,
    });
  }

  timeOnPage(scope: ExperimentScope, pageKey: string | undefined, cap?: number): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT v.visitor_id, v.ts, v.duration_ms::float8 AS value FROM page_view v
                WHERE v.project_id = $1 AND ($6::text IS NULL OR v.page_key = $6) AND ${BEFORE_END('v.ts')}`,
      params: [pageKey ?? null],
      value: 'coalesce(sum(c.value), 0)',
      denominator: 'count(c.value)',
      cap,
    });
  }

  /** Sessions still going on at or after the exposure, and their durations. */
  sessionDuration(scope: ExperimentScope, cap?: number): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT s.visitor_id, s.last_event_at AS ts, s.duration_ms::float8 AS value FROM session s WHERE s.project_id = $1 AND ${BEFORE_END('s.started_at')}`,
      params: [],
      value: 'coalesce(sum(c.value), 0)',
      denominator: 'count(c.value)',
      cap,
    });
  }

  /** Sessions going on at or after the exposure, and those of them with a signal (of one kind) at or after it. */
  frustratedSessions(scope: ExperimentScope, kind: string | undefined): Promise<DayStatistics[]> {
    return this.perVisitor(scope, {
      source: `SELECT s.visitor_id, s.last_event_at AS ts,
                      (SELECT max(g.ts) FROM session_signal g WHERE g.project_id = s.project_id AND g.session_id = s.id AND ($6::text IS NULL OR g.kind = $6) AND ${BEFORE_END('g.ts')}) AS value
                 FROM session s WHERE s.project_id = $1 AND ${BEFORE_END('s.started_at')}`,
      params: [kind ?? null],
      value: 'count(*) FILTER (WHERE c.value >= x.first_ts)',
      denominator: 'count(c.ts)',
    });
  }

  /**
   * A visitor with no rows of the source from their exposure on counts 0 in every kind of metric
   * (numerator and denominator alike), so only the visitors who have such rows are grouped; the
   * others add to the number of visitors, taken from the exposures, and to nothing else. Grouping
   * every exposed visitor instead is what made the results slow at a million exposures.
   */
  private async perVisitor(scope: ExperimentScope, q: PerVisitor): Promise<DayStatistics[]> {
    const params: unknown[] = [scope.projectId, scope.experimentKey, scope.variants, scope.from, scope.to, ...q.params];
    let capped = 'v';
    if (q.cap !== undefined) {
      params.push(q.cap);
      capped = `least(v, (SELECT percentile_cont($${params.length}::float8) WITHIN GROUP (ORDER BY v) FROM per WHERE v > 0))`;
    }
    const den = q.denominator ?? '0';
    const [exposed, rows] = await Promise.all([
      this.exposedByDay(scope),
      this.db.query(
        `WITH per AS (SELECT x.variant, x.first_ts, (${q.value})::float8 AS v, (${den})::float8 AS d
                        FROM (${q.source}) c
                        JOIN experiment_exposure x ON x.visitor_id = c.visitor_id AND c.ts >= x.first_ts AND ${EXPOSED_WHERE}
                       GROUP BY x.visitor_id, x.variant, x.first_ts),
              capped AS (SELECT variant, first_ts, ${capped} AS v, d FROM per)
         SELECT variant, date_trunc('day', first_ts, 'UTC') AS day, sum(v)::float8 AS sum, sum(v * v)::float8 AS sum_squares,
                sum(d)::float8 AS den_sum, sum(d * d)::float8 AS den_squares, sum(v * d)::float8 AS products
           FROM capped GROUP BY 1, 2`,
        params,
      ) as Promise<Array<{ variant: string; day: Date; sum: number; sum_squares: number; den_sum: number; den_squares: number; products: number }>>,
    ]);
    const sums = new Map(rows.map((r) => [`${r.variant}\u0000${r.day.getTime()}`, r]));
    const known = new Set(scope.variants);
    return exposed
      .filter((e) => known.has(e.variant))
      .map((e) => {
        const r = sums.get(`${e.variant}\u0000${e.day}`);
        return {
          variant: e.variant,
          day: e.day,
          n: e.n,
          sum: r?.sum ?? 0,
          sumSquares: r?.sum_squares ?? 0,
          ...(q.denominator ? { denominator: { sum: r?.den_sum ?? 0, sumSquares: r?.den_squares ?? 0 }, sumProducts: r?.products ?? 0 } : {}),
        };
      });
  }
}
