import type { RecordedEvent } from '@loupe/contracts/recording';
import { describe, expect, it } from 'vitest';
import { activeMs, activityOf, INACTIVITY_THRESHOLD_MS, mergeIntervals, type Interval } from './activity';
import { click, fullSnapshot, input, meta, mouseMove, mutation, scroll, T0 } from './test-events';

describe('activityOf', () => {
  it('joins interactions less than the threshold apart and ignores what the page does by itself', () => {
    const events = [
      meta(T0, 'https://a.test/'),
      fullSnapshot(T0 + 1),
      mouseMove(T0 + 1000),
      click(T0 + 4000, 1, 1, 1),
      mutation(T0 + 9000),
      scroll(T0 + 4000 + INACTIVITY_THRESHOLD_MS, 1, 10), // exactly the threshold: still active, as in rrweb's player
      mutation(T0 + 30_000), // page animations are not the visitor
      input(T0 + 40_000, 3, 'x'),
      mutation(T0 + 60_000),
    ];
    expect(activityOf(events)).toEqual({
      firstTs: T0,
      lastTs: T0 + 60_000,
      eventCount: 9,
      activeIntervals: [
        [T0 + 1000, T0 + 14_000],
        [T0 + 40_000, T0 + 40_000],
      ],
    });
  });

  it('has no times and no activity for an empty chunk', () => {
    expect(activityOf([])).toEqual({ eventCount: 0, activeIntervals: [] });
  });

  it('copes with events out of order', () => {
    const events = [click(T0 + 5000, 1, 1, 1), click(T0, 1, 1, 1), click(T0 + 30_000, 1, 1, 1)];
    expect(activityOf(events).activeIntervals).toEqual([
      [T0, T0 + 5000],
      [T0 + 30_000, T0 + 30_000],
    ]);
  });
});

describe('mergeIntervals and activeMs', () => {
  const a: Interval = [0, 1000];
  const b: Interval = [5000, 8000];
  const c: Interval = [30_000, 31_000];

  it('joins overlapping intervals and intervals within the threshold, whatever the order or repeats', () => {
    const expected = [
      [0, 8000],
      [30_000, 31_000],
    ];
    expect(mergeIntervals([a, b, c])).toEqual(expected);
    expect(mergeIntervals([c, b, a, b, a])).toEqual(expected);
    expect(mergeIntervals([[0, 19_000], [5000, 6000], c])).toEqual([
      [0, 19_000],
      [30_000, 31_000],
    ]);
    expect(mergeIntervals([])).toEqual([]);
  });

  it('does not change its input', () => {
    const input: Interval[] = [
      [0, 10],
      [5, 20],
    ];
    mergeIntervals(input);
    expect(input).toEqual([
      [0, 10],
      [5, 20],
    ]);
  });

  it('counts time once however often it is listed', () => {
    expect(activeMs([a, b, c])).toBe(8000 + 1000);
    expect(activeMs([a, a, b, b, c, c])).toBe(9000);
    expect(activeMs([])).toBe(0);
  });

  it('gives a split recording the active time of the whole', () => {
    const events: RecordedEvent[] = [];
    let ts = T0;
    for (let i = 0; i < 200; i++) {
      ts += i % 37 === 0 ? 15_000 : 700 + ((i * 7919) % 9000);
      events.push(i % 3 === 0 ? mutation(ts) : click(ts, 1, 1, 1));
    }
    const whole = activityOf(events);
    for (const size of [1, 7, 50]) {
      const parts: Interval[] = [];
      for (let i = 0; i < events.length; i += size) parts.push(...activityOf(events.slice(i, i + size)).activeIntervals);
      expect(mergeIntervals(parts.reverse())).toEqual(whole.activeIntervals);
      expect(activeMs(parts)).toBe(activeMs(whole.activeIntervals));
    }
  });
});
