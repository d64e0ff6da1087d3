import { describe, expect, it } from 'vitest';
import { meanInterval, npsInterval, wilsonInterval } from './intervals';
import { cesSummary, csatSummary, npsSummary, onFivePoints, scoreStatistics, sentimentOf, variantScores, type ScoreCount } from './scores';

/** Counts of a list of scores, as the database groups them. */
function counts(scores: number[], max: number, min = max === 10 ? 0 : 1): ScoreCount[] {
  const by = new Map<number, number>();
  for (const s of scores) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by].map(([score, count]) => ({ score, count, min, max }));
}

describe('NPS', () => {
  it('is % promoters (9–10) minus % detractors (0–6), with the counts of each group', () => {
    const s = npsSummary(counts([10, 10, 9, 9, 9, 8, 7, 7, 6, 0], 10));
    expect(s).toMatchObject({ n: 10, promoters: 5, passives: 3, detractors: 2 });
    expect(s.score).toBeCloseTo(30, 10);
  });

  it('has a 95% adjusted-Wald interval: 3/4 promoter and 3/4 detractor added, n + 3', () => {
    const s = npsSummary(counts([10, 10, 9, 9, 9, 8, 7, 7, 6, 0], 10));
    expect(s.interval!.low).toBeCloseTo(-19.0506, 3);
    expect(s.interval!.high).toBeCloseTo(65.2045, 3);
  });

  it('is null without answers, and 0 with a wide interval when everyone is passive', () => {
    expect(npsSummary([])).toEqual({ n: 0, promoters: 0, passives: 0, detractors: 0, score: null, interval: null });
    const passives = npsSummary(counts([7, 8, 8, 7], 10));
    expect(passives.score).toBe(0);
    expect(passives.interval!.low).toBeCloseTo(-34.2922, 3);
    expect(passives.interval!.high).toBeCloseTo(34.2922, 3);
  });

  it('stays within −100 and 100 at the extremes, and does not read three answers as a certainty', () => {
    const all = npsSummary(counts([10, 10, 10], 10));
    expect(all.score).toBe(100);
    expect(all.interval!.high).toBeLessThanOrEqual(100);
    expect(all.interval!.low).toBeLessThan(0);
    const none = npsSummary(counts([0, 1, 2], 10));
    expect(none.score).toBe(-100);
    expect(none.interval!.low).toBeGreaterThanOrEqual(-100);
  });

  it('narrows as answers accumulate with the same split', () => {
    const width = (k: number) => {
      const i = npsInterval(5 * k, 2 * k, 10 * k)!;
      return i.high - i.low;
    };
    expect(width(10)).toBeLessThan(width(1) / 2.5);
  });
});

describe('CSAT', () => {
  it('counts the top two points of a 5-point scale as satisfied, with a Wilson interval, and the mean with a t interval', () => {
    const s = csatSummary(counts([5, 4, 4, 5, 3, 2, 1, 5, 4, 4], 5));
    expect(s).toMatchObject({ n: 10, satisfied: 7, meanScale: '1-5' });
    expect(s.percent).toBeCloseTo(70, 10);
    expect(s.mean).toBeCloseTo(3.7, 10);
    // mean 3.7, sample sd 1.337494, t(0.975, 9) = 2.262157.
    expect(s.meanInterval!.low).toBeCloseTo(3.7 - 2.262157 * (1.337494 / Math.sqrt(10)), 4);
    expect(s.meanInterval!.high).toBeCloseTo(3.7 + 2.262157 * (1.337494 / Math.sqrt(10)), 4);
  });

  it('takes 6 and 7 as the top two points of a 7-point scale', () => {
    const s = csatSummary(counts([7, 6, 5, 2], 7));
    expect(s.satisfied).toBe(2);
    expect(s.meanScale).toBe('1-7');
    expect(s.mean).toBe(5);
  });

  it('puts 7-point answers on the 5-point scale when both scales are mixed', () => {
    expect(onFivePoints(7, 7)).toBe(5);
    expect(onFivePoints(1, 7)).toBe(1);
    expect(onFivePoints(4, 7)).toBe(3);
    const s = csatSummary([...counts([5, 1], 5), ...counts([7, 4], 7)]);
    expect(s.meanScale).toBe('1-5');
    expect(s.mean).toBeCloseTo((5 + 1 + 5 + 3) / 4, 10);
    expect(s.satisfied).toBe(2);
  });

  it('is null without answers and has no mean interval from one answer', () => {
    expect(csatSummary([])).toEqual({ n: 0, satisfied: 0, percent: null, interval: null, mean: null, meanInterval: null, meanScale: null });
    const one = csatSummary(counts([5], 5));
    expect(one.mean).toBe(5);
    expect(one.meanInterval).toBeNull();
    expect(one.interval!.low).toBeGreaterThan(0);
  });
});

describe('CES', () => {
  it('is the mean on 1–7 and the percent of answers 5 to 7', () => {
    const s = cesSummary(counts([1, 2, 3, 4, 5], 7));
    expect(s).toMatchObject({ n: 5, mean: 3, easy: 1 });
    expect(s.percentEasy).toBeCloseTo(20, 10);
    // sd 1.581139, t(0.975, 4) = 2.776445.
    expect(s.meanInterval!.low).toBeCloseTo(3 - 2.776445 * (1.581139 / Math.sqrt(5)), 4);
    expect(s.meanInterval!.high).toBeCloseTo(3 + 2.776445 * (1.581139 / Math.sqrt(5)), 4);
  });

  it('has an interval of zero width when every answer is the same', () => {
    const s = cesSummary(counts([6, 6, 6], 7));
    expect(s.mean).toBe(6);
    expect(s.meanInterval).toEqual({ low: 6, high: 6 });
    expect(s.percentEasy).toBe(100);
  });

  it('is null without answers', () => {
    expect(cesSummary([])).toEqual({ n: 0, mean: null, meanInterval: null, easy: 0, percentEasy: null, interval: null });
  });
});

describe('intervals', () => {
  it('Wilson: 8 of 10 is 49.0% to 94.3%; 3 of 3 is not a certainty', () => {
    const i = wilsonInterval(8, 10)!;
    expect(i.low).toBeCloseTo(0.490162, 5);
    expect(i.high).toBeCloseTo(0.943318, 5);
    const all = wilsonInterval(3, 3)!;
    expect(all.low).toBeCloseTo(0.438503, 5);
    expect(all.high).toBeCloseTo(1, 10);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('t interval needs two values', () => {
    expect(meanInterval(1, 4, 16)).toBeNull();
    expect(meanInterval(0, 0, 0)).toBeNull();
  });
});

describe('sentiment of one answer', () => {
  it.each([
    ['nps', 0, 10, 6, 'negative'],
    ['nps', 0, 10, 7, 'neutral'],
    ['nps', 0, 10, 8, 'neutral'],
    ['nps', 0, 10, 9, 'positive'],
    ['csat', 1, 5, 2, 'negative'],
    ['csat', 1, 5, 3, 'neutral'],
    ['csat', 1, 5, 4, 'positive'],
    ['csat', 1, 7, 3, 'neutral'],
    ['csat', 1, 7, 6, 'positive'],
    ['ces', 1, 7, 3, 'negative'],
    ['ces', 1, 7, 4, 'neutral'],
    ['ces', 1, 7, 5, 'positive'],
  ] as const)('%s on %i–%i: %i is %s', (kind, min, max, score, expected) => {
    expect(sentimentOf(kind, { min, max }, score)).toBe(expected);
  });

  it('has none for a comment or a missing score', () => {
    expect(sentimentOf('comment', null, null)).toBeNull();
    expect(sentimentOf('nps', { min: 0, max: 10 }, null)).toBeNull();
  });
});

describe('per-variant sufficient statistics', () => {
  it('gives n, sum and sum of squares per variant, and the NPS groups', () => {
    const rows = [
      ...counts([10, 9, 3], 10).map((c) => ({ ...c, variant: 'b' })),
      ...counts([8, 6], 10).map((c) => ({ ...c, variant: 'a' })),
    ];
    expect(variantScores('nps', rows)).toEqual([
      { variant: 'a', n: 2, sum: 14, sumSquares: 100, promoters: 0, passives: 1, detractors: 1 },
      { variant: 'b', n: 3, sum: 22, sumSquares: 190, promoters: 2, passives: 0, detractors: 1 },
    ]);
  });

  it('matches scoreStatistics for a single group', () => {
    expect(scoreStatistics(counts([1, 2, 2, 7], 7))).toEqual({ n: 4, sum: 12, sumSquares: 58 });
  });
});
