import { describe, expect, it } from 'vitest';
import { cxReport, type CxInputs } from './report';
import { bucketOf, bucketStarts, median } from './time';
import { lifetimeValue, retentionCohorts } from './visitors';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('time buckets', () => {
  it('cuts days, ISO weeks from Monday and months in UTC', () => {
    // 2026-11-26 is a Thursday.
    const t = at('2026-11-26T23:30:00Z');
    expect(new Date(bucketOf(t, 'day')).toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(new Date(bucketOf(t, 'week')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(new Date(bucketOf(at('2026-11-29T12:00:00Z'), 'week')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(new Date(bucketOf(t, 'month')).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('lists every bucket overlapping the range, empty ones included', () => {
    const weeks = bucketStarts(at('2026-11-05T00:00:00Z'), at('2026-11-24T00:00:00Z'), 'week').map((b) => new Date(b).toISOString().slice(0, 10));
    expect(weeks).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    expect(bucketStarts(at('2026-01-31T00:00:00Z'), at('2026-04-01T00:00:00Z'), 'month').map((b) => new Date(b).toISOString().slice(0, 7))).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
    expect(median([])).toBeNull();
  });
});

describe('retention cohorts', () => {
  it('gives each cohort its share of returning visitors per week, up to the last week observed', () => {
    const w1 = at('2026-11-02T00:00:00Z');
    const w2 = w1 + 7 * DAY;
    const to = w2 + 7 * DAY + DAY; // one day into the third week
    const cohorts = retentionCohorts(
      [
        { cohort: w1, offset: 0, visitors: 10 },
        { cohort: w1, offset: 2, visitors: 3 },
        { cohort: w2, offset: 0, visitors: 4 },
        { cohort: w2, offset: 1, visitors: 1 },
      ],
      to,
    );
    expect(cohorts).toEqual([
      { week: w1, visitors: 10, returned: [10, 0, 3], percent: [100, 0, 30] },
      { week: w2, visitors: 4, returned: [4, 1], percent: [100, 25] },
    ]);
  });
});

describe('customer lifetime value', () => {
  it('sums each identified visitor over their whole history, before the range too', () => {
    const b1 = at('2026-11-02T00:00:00Z');
    const b2 = b1 + 7 * DAY;
    const before = b1 - 30 * DAY;
    const ltv = lifetimeValue(
      [
        { person: 'ann', bucket: before, revenue: 50 },
        { person: 'ann', bucket: b1, revenue: 30 },
        { person: 'bob', bucket: b2, revenue: 20 },
        { person: 'cat', bucket: b2, revenue: 100 },
      ],
      [b1, b2],
    );
    expect(ltv).toMatchObject({ customers: 3, total: 200, median: 80 });
    expect(ltv.mean).toBeCloseTo(200 / 3, 10);
    expect(ltv.trend).toEqual([
      { bucket: b1, revenue: 30, customers: 1, mean: 80 },
      { bucket: b2, revenue: 120, customers: 3, mean: 200 / 3 },
    ]);
  });

  it('is empty without revenue', () => {
    expect(lifetimeValue([], [0])).toEqual({ customers: 0, total: 0, mean: null, median: null, trend: [{ bucket: 0, revenue: 0, customers: 0, mean: null }] });
  });
});

describe('the CX report', () => {
  const from = at('2026-11-02T00:00:00Z');
  const b2 = from + 7 * DAY;
  const to = from + 14 * DAY;
  const empty: CxInputs = {
    from,
    to,
    interval: 'week',
    scores: [],
    answers: [],
    shown: [],
    resolutions: [],
    retention: [],
    churn: { periodDays: 30, rows: [] },
    revenue: { event: null, property: 'value', rows: [] },
  };

  it('has a point per bucket and nulls, not zeros, where there is nothing to measure', () => {
    const r = cxReport(empty);
    expect(r.nps.trend.map((t) => t.bucket)).toEqual([new Date(from).toISOString(), new Date(b2).toISOString()]);
    expect(r.nps.score).toBeNull();
    expect(r.csat.percent).toBeNull();
    expect(r.ces.mean).toBeNull();
    expect(r.responses).toMatchObject({ answers: 0, shown: 0, rate: null });
    expect(r.ttr).toMatchObject({ resolved: 0, meanMs: null, medianMs: null });
    expect(r.churn).toMatchObject({ active: 0, churned: 0, rate: null });
  });

  it('splits scores by kind and bucket, and divides answers by surveys shown', () => {
    const r = cxReport({
      ...empty,
      scores: [
        { bucket: from, kind: 'nps', score: 10, count: 3, min: 0, max: 10 },
        { bucket: b2, kind: 'nps', score: 2, count: 1, min: 0, max: 10 },
        { bucket: from, kind: 'csat', score: 5, count: 1, min: 1, max: 5 },
        { bucket: b2, kind: 'ces', score: 6, count: 2, min: 1, max: 7 },
      ],
      answers: [
        { bucket: from, count: 5 },
        { bucket: b2, count: 3 },
      ],
      shown: [
        { bucket: from, count: 10 },
        { bucket: b2, count: 10 },
      ],
      resolutions: [
        { bucket: b2, ms: 1000 },
        { bucket: b2, ms: 3000 },
        { bucket: b2, ms: 8000 },
      ],
      churn: { periodDays: 30, rows: [{ bucket: from, active: 4, churned: 1 }, { bucket: b2, active: 5, churned: 2 }] },
    });
    expect(r.nps).toMatchObject({ n: 4, promoters: 3, detractors: 1, score: 50 });
    expect(r.nps.trend.map((t) => t.score)).toEqual([100, -100]);
    expect(r.csat).toMatchObject({ n: 1, percent: 100 });
    expect(r.ces).toMatchObject({ n: 2, mean: 6, percentEasy: 100 });
    expect(r.responses).toMatchObject({ answers: 8, shown: 20, rate: 40 });
    expect(r.responses.trend.map((t) => t.rate)).toEqual([50, 30]);
    expect(r.ttr).toMatchObject({ resolved: 3, meanMs: 4000, medianMs: 3000 });
    expect(r.ttr.trend.map((t) => t.resolved)).toEqual([0, 3]);
    expect(r.churn).toMatchObject({ active: 5, churned: 2, rate: 40 });
    expect(r.churn.trend.map((t) => t.rate)).toEqual([25, 40]);
  });
});
