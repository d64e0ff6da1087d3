import type { CxReport } from '@loupe/contracts';
import type { SurveyKind } from '@loupe/contracts/feedback';
import { cesSummary, csatSummary, npsSummary, type ScoreCount } from './scores';
import { bucketStarts, mean, median, percentOf, type Interval } from './time';
import { lifetimeValue, retentionCohorts, type CohortActivity, type RevenueRow } from './visitors';

interface Counted {
  bucket: number;
  count: number;
}

/** What the database answers for a CX report, each row already in its bucket (epoch ms of the bucket's start). */
export interface CxInputs {
  from: number;
  to: number;
  interval: Interval;
  /** How many answers gave each score, per bucket, kind and scale. */
  scores: ReadonlyArray<ScoreCount & { bucket: number; kind: SurveyKind }>;
  /** Answers of every kind (comments included), per bucket. */
  answers: readonly Counted[];
  /** Surveys shown, per bucket. */
  shown: readonly Counted[];
  /** Each item resolved, in the bucket of its resolution, with its time to resolution. */
  resolutions: ReadonlyArray<{ bucket: number; ms: number }>;
  retention: readonly CohortActivity[];
  /** Churn evaluated at the end of each bucket. */
  churn: { periodDays: number; rows: ReadonlyArray<{ bucket: number; active: number; churned: number }> };
  revenue: { event: string | null; property: string; rows: readonly RevenueRow[] };
}

const iso = (t: number) => new Date(t).toISOString();

function groupBy<T extends { bucket: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) out.set(r.bucket, [...(out.get(r.bucket) ?? []), r]);
  return out;
}

const sumOf = (rows: readonly Counted[] | undefined) => (rows ?? []).reduce((s, r) => s + r.count, 0);

/** Every KPI of the CX dashboard, overall and per bucket, from the database's counts. */
export function cxReport(input: CxInputs): CxReport {
  const buckets = bucketStarts(input.from, input.to, input.interval);
  const ofKind = (kind: SurveyKind) => input.scores.filter((s) => s.kind === kind);
  const nps = ofKind('nps');
  const csat = ofKind('csat');
  const ces = ofKind('ces');
  const npsBy = groupBy(nps);
  const csatBy = groupBy(csat);
  const cesBy = groupBy(ces);
  const answersBy = groupBy(input.answers);
  const shownBy = groupBy(input.shown);
  const resolvedBy = groupBy(input.resolutions);
  const churnBy = new Map(input.churn.rows.map((r) => [r.bucket, r]));

  const npsAll = npsSummary(nps);
  const csatAll = csatSummary(csat);
  const cesAll = cesSummary(ces);
  const answers = sumOf(input.answers);
  const shown = sumOf(input.shown);
  const ttrs = input.resolutions.map((r) => r.ms);
  const lastChurn = input.churn.rows.length ? input.churn.rows.reduce((a, b) => (b.bucket > a.bucket ? b : a)) : null;
  const ltv = lifetimeValue(input.revenue.rows, buckets);

  return {
    from: iso(input.from),
    to: iso(input.to),
    interval: input.interval,
    nps: {
      ...npsAll,
      trend: buckets.map((b) => {
        const s = npsSummary(npsBy.get(b) ?? []);
        return { bucket: iso(b), n: s.n, score: s.score, interval: s.interval };
      }),
    },
    csat: {
      ...csatAll,
      trend: buckets.map((b) => {
        const s = csatSummary(csatBy.get(b) ?? []);
        return { bucket: iso(b), n: s.n, percent: s.percent, interval: s.interval, mean: s.mean };
      }),
    },
    ces: {
      ...cesAll,
      trend: buckets.map((b) => {
        const s = cesSummary(cesBy.get(b) ?? []);
        return { bucket: iso(b), n: s.n, mean: s.mean, meanInterval: s.meanInterval, percentEasy: s.percentEasy };
      }),
    },
    responses: {
      answers,
      shown,
      rate: percentOf(answers, shown),
      trend: buckets.map((b) => {
        const a = sumOf(answersBy.get(b));
        const s = sumOf(shownBy.get(b));
        return { bucket: iso(b), answers: a, shown: s, rate: percentOf(a, s) };
      }),
    },
    ttr: {
      resolved: ttrs.length,
      meanMs: mean(ttrs),
      medianMs: median(ttrs),
      trend: buckets.map((b) => {
        const ms = (resolvedBy.get(b) ?? []).map((r) => r.ms);
        return { bucket: iso(b), resolved: ms.length, meanMs: mean(ms), medianMs: median(ms) };
      }),
    },
    retention: {
      cohorts: retentionCohorts(input.retention, input.to).map((c) => ({ ...c, week: iso(c.week) })),
    },
    churn: {
      periodDays: input.churn.periodDays,
      active: lastChurn?.active ?? 0,
      churned: lastChurn?.churned ?? 0,
      rate: lastChurn ? percentOf(lastChurn.churned, lastChurn.active) : null,
      trend: buckets.map((b) => {
        const r = churnBy.get(b);
        return { bucket: iso(b), active: r?.active ?? 0, churned: r?.churned ?? 0, rate: r ? percentOf(r.churned, r.active) : null };
      }),
    },
    ltv: {
      event: input.revenue.event,
      property: input.revenue.property,
      customers: ltv.customers,
      total: ltv.total,
      mean: ltv.mean,
      median: ltv.median,
      trend: ltv.trend.map((t) => ({ ...t, bucket: iso(t.bucket) })),
    },
  };
}
