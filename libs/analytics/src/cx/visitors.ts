import { median, percentOf } from './time';

const WEEK = 7 * 86_400_000;

/** Visitors first seen in the week starting `cohort` (epoch ms) who visited again `offset` weeks later. */
export interface CohortActivity {
  cohort: number;
  offset: number;
  visitors: number;
}

export interface RetentionCohort {
  /** Epoch ms of the cohort's Monday. */
  week: number;
  visitors: number;
  /** `returned[k]`: of them, how many visited in week k (week 0 is the first, so it is everyone). */
  returned: number[];
  percent: number[];
}

/**
 * Weekly retention cohorts. Each cohort's row runs up to the last week that has begun before `to`,
 * so that a week that could not have been observed reads as missing rather than as 0%.
 */
export function retentionCohorts(rows: readonly CohortActivity[], to: number): RetentionCohort[] {
  const byCohort = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const weeks = byCohort.get(r.cohort) ?? new Map<number, number>();
    weeks.set(r.offset, (weeks.get(r.offset) ?? 0) + r.visitors);
    byCohort.set(r.cohort, weeks);
  }
  return [...byCohort]
    .sort(([a], [b]) => a - b)
    .map(([week, counts]) => {
      const visitors = counts.get(0) ?? 0;
      const observable = Math.max(1, Math.floor((to - 1 - week) / WEEK) + 1);
      const returned = Array.from({ length: observable }, (_, k) => counts.get(k) ?? 0);
      return { week, visitors, returned, percent: returned.map((n) => percentOf(n, visitors) ?? 0) };
    });
}

/** Revenue of one identified visitor in the bucket starting `bucket` (epoch ms). */
export interface RevenueRow {
  person: string;
  bucket: number;
  revenue: number;
}

export interface LifetimeValue {
  customers: number;
  total: number;
  mean: number | null;
  median: number | null;
  /** Per bucket: its revenue, and the customers and mean lifetime value as of its end. */
  trend: Array<{ bucket: number; revenue: number; customers: number; mean: number | null }>;
}

/**
 * Customer lifetime value: each identified visitor's revenue summed over their whole history (rows
 * before the first bucket count towards it), and the mean and median over the visitors with any.
 */
export function lifetimeValue(rows: readonly RevenueRow[], buckets: readonly number[]): LifetimeValue {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.person, (totals.get(r.person) ?? 0) + r.revenue);
  const values = [...totals.values()];
  const total = values.reduce((s, v) => s + v, 0);

  const sorted = [...rows].sort((a, b) => a.bucket - b.bucket);
  const seen = new Set<string>();
  let cumulative = 0;
  let i = 0;
  const trend = buckets.map((bucket, k) => {
    const end = buckets[k + 1] ?? Number.POSITIVE_INFINITY;
    let revenue = 0;
    for (let r = sorted[i]; r && r.bucket < end; r = sorted[++i]) {
      cumulative += r.revenue;
      seen.add(r.person);
      if (r.bucket >= bucket) revenue += r.revenue;
    }
    return { bucket, revenue, customers: seen.size, mean: seen.size ? cumulative / seen.size : null };
  });
  return { customers: totals.size, total, mean: totals.size ? total / totals.size : null, median: median(values), trend };
}
