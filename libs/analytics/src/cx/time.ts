export type Interval = 'day' | 'week' | 'month';

const DAY = 86_400_000;

/**
 * The start of the bucket holding `t`, in UTC: the day, the ISO week (from Monday, as PostgreSQL's
 * `date_trunc('week')`), or the month.
 */
export function bucketOf(t: number, interval: Interval): number {
  const d = new Date(t);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (interval === 'day') return day;
  if (interval === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextBucket(start: number, interval: Interval): number {
  if (interval === 'day') return start + DAY;
  if (interval === 'week') return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Every bucket that overlaps `[from, to)`, so that a trend has a point for each, empty or not. */
export function bucketStarts(from: number, to: number, interval: Interval): number[] {
  const out: number[] = [];
  for (let b = bucketOf(from, interval); b < to; b = nextBucket(b, interval)) out.push(b);
  return out;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** `part / whole` in percent, null when there is no whole. */
export const percentOf = (part: number, whole: number): number | null => (whole > 0 ? (part / whole) * 100 : null);
