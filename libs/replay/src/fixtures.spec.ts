import { RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activityOf, mergeIntervals } from './activity';
import { analyzeChunk, type ChunkAnalysis } from './chunk';
import { indexEvents, seekPoint } from './chunk-index';
import { deviceOf } from './device';
import { summarizeSession } from './summary';
import { extractTypedEvents, SAMPLE_WINDOW_MS, type TypedEvent } from './typed-events';
import { checkEventOrder } from './validate';

// Real recordings published by rrweb's maintainers; shared/ sits beside the repository's root.
const load = (name: string): RecordedEvent[] =>
  JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/rrweb/${name}`, import.meta.url), 'utf8')) as RecordedEvent[];

interface Expected {
  name: string;
  events: number;
  durationMs: number;
  entryUrl: string;
  viewport: { width: number; height: number };
  device: 'desktop' | 'mobile';
  clickNodes: number[];
  scrollNodes: number[];
  scrollSamples: number;
  /** Active intervals relative to the first event, worked out by hand from the interaction gaps. */
  active: Array<[number, number]>;
}

const FIXTURES: Expected[] = [
  {
    name: 'demoit-desktop-81s.json',
    events: 272,
    durationMs: 81_080,
    entryUrl: 'https://demoit.app/e/react#ReactHooks.js',
    viewport: { width: 1166, height: 705 },
    device: 'desktop',
    clickNodes: [213, 368, 36],
    scrollNodes: [55, 61],
    scrollSamples: 10,
    // Typing in its code editor shows as DOM mutations only, so most of the 81 s is not interaction.
    active: [
      [369, 1725],
      [44_437, 52_648],
      [69_754, 73_750],
    ],
  },
  {
    name: 'smartx-mobile-166s.json',
    events: 607,
    durationMs: 165_853,
    entryUrl: 'https://www.smartx.com/halo/',
    viewport: { width: 414, height: 832 },
    device: 'mobile',
    clickNodes: [240, 45, 49, 667, 724, 1224, 1228, 2430],
    scrollNodes: [1],
    scrollSamples: 72,
    active: [
      [7265, 59_419],
      [76_285, 165_853],
    ],
  },
];

const scrollKey = (e: { nodeId?: number; ts: number }) => `${e.nodeId}:${Math.floor(e.ts / SAMPLE_WINDOW_MS)}`;

/** rrweb's raw scrolls reduced by hand: the last position of each node in each second. */
function lastScrollPerSecond(events: RecordedEvent[]): Map<string, { y: number; ts: number }> {
  const out = new Map<string, { y: number; ts: number }>();
  for (const e of events) {
    const data = e.data as { source?: number; id?: number; y?: number };
    if (e.type === RRWEB.IncrementalSnapshot && data.source === RRWEB_SOURCE.Scroll) {
      out.set(scrollKey({ nodeId: data.id, ts: e.timestamp }), { y: data.y!, ts: e.timestamp });
    }
  }
  return out;
}

function inOrder(chunks: RecordedEvent[][], carryUrl = true): ChunkAnalysis[] {
  let url: string | undefined;
  return chunks.map((events, seq) => {
    const analysis = analyzeChunk(seq, events, carryUrl ? { url } : {});
    url = analysis.lastUrl;
    return analysis;
  });
}

function split(events: RecordedEvent[], size: number): RecordedEvent[][] {
  const chunks: RecordedEvent[][] = [];
  for (let i = 0; i < events.length; i += size) chunks.push(events.slice(i, i + size));
  return chunks;
}

describe.each(FIXTURES)('real recording $name', (fx) => {
  const events = load(fx.name);
  const t0 = events[0]!.timestamp;

  it('passes the ingest checks at the time it was recorded', () => {
    expect(events).toHaveLength(fx.events);
    expect(checkEventOrder(events, events[events.length - 1]!.timestamp, 7 * 86_400_000)).toBeNull();
  });

  it('yields the clicks, scroll samples, page and activity read from the raw events', () => {
    const whole = analyzeChunk(0, events);
    const byKind = (kind: string) => whole.events.filter((e) => e.kind === kind);

    const CLICK = 2; // rrweb's MouseInteractions.Click
    const rawClicks = events.filter((e) => {
      const data = e.data as { source?: number; type?: number };
      return e.type === RRWEB.IncrementalSnapshot && data.source === RRWEB_SOURCE.MouseInteraction && data.type === CLICK;
    });
    expect(byKind('click').map((e) => e.nodeId)).toEqual(fx.clickNodes);
    expect(byKind('click')).toHaveLength(rawClicks.length);
    expect(byKind('click').every((e) => e.url === fx.entryUrl && e.x !== undefined && e.y !== undefined)).toBe(true);

    const scrolls = byKind('scroll');
    expect(scrolls).toHaveLength(fx.scrollSamples);
    expect([...new Set(scrolls.map((e) => e.nodeId))].sort((a, b) => a! - b!)).toEqual(fx.scrollNodes);
    const expected = lastScrollPerSecond(events);
    expect(new Map(scrolls.map((e) => [scrollKey(e), { y: e.y!, ts: e.ts }]))).toEqual(expected);

    expect(byKind('pageview')).toEqual([{ ts: t0, kind: 'pageview', url: fx.entryUrl, props: { navigation: 'load', viewport: fx.viewport } }]);
    expect(byKind('input')).toHaveLength(0);
    expect(byKind('error')).toHaveLength(0);
    expect(whole.events.map((e) => e.ts)).toEqual(whole.events.map((e) => e.ts).sort((a, b) => a - b));

    expect(whole.activity.activeIntervals).toEqual(fx.active.map(([s, e]) => [t0 + s, t0 + e]));
    expect(whole.index).toEqual({
      firstTs: t0,
      lastTs: t0 + fx.durationMs,
      eventCount: fx.events,
      fullSnapshots: [{ ts: events[1]!.timestamp, index: 1, start: 0 }],
      endsWithMeta: false,
    });

    const summary = summarizeSession([whole.facts]);
    expect(summary).toEqual({
      firstTs: t0,
      lastTs: t0 + fx.durationMs,
      durationMs: fx.durationMs,
      activeMs: fx.active.reduce((sum, [s, e]) => sum + e - s, 0),
      entryUrl: fx.entryUrl,
      exitUrl: fx.entryUrl,
      pageCount: 1,
      clickCount: fx.clickNodes.length,
      errorCount: 0,
      viewport: fx.viewport,
      eventCount: fx.events,
      chunkCount: 1,
      windowCount: 1,
      loupe: false,
    });
    expect(summary.activeMs).toBeGreaterThan(0);
    expect(summary.activeMs).toBeLessThanOrEqual(summary.durationMs);
    expect(deviceOf('', summary.viewport!.width).device).toBe(fx.device);
  });

  it.each([1, 7, 50, 100])('gives the same results split into chunks of %i events, in any order, twice', (size) => {
    const whole = analyzeChunk(0, events);
    const parts = inOrder(split(events, size));
    const facts = parts.map((p) => p.facts);

    const summary = summarizeSession([...facts].reverse().concat(facts.filter((_, i) => i % 2 === 0)));
    expect(summary).toEqual({ ...summarizeSession([whole.facts]), chunkCount: parts.length });
    expect(mergeIntervals(parts.flatMap((p) => p.activity.activeIntervals))).toEqual(whole.activity.activeIntervals);

    const notScroll = (list: TypedEvent[]) => list.filter((e) => e.kind !== 'scroll');
    expect(parts.flatMap((p) => notScroll(p.events))).toEqual(notScroll(whole.events));

    // A second straddling two chunks yields a sample in each; keeping the later one gives back the whole's samples.
    const splitScrolls = parts.flatMap((p) => p.events.filter((e) => e.kind === 'scroll'));
    const wholeScrolls = whole.events.filter((e) => e.kind === 'scroll');
    expect(splitScrolls.length).toBeGreaterThanOrEqual(wholeScrolls.length);
    expect(splitScrolls.length).toBeLessThanOrEqual(wholeScrolls.length + parts.length - 1);
    const collapsed = new Map<string, TypedEvent>();
    for (const e of splitScrolls) collapsed.set(scrollKey(e), e);
    expect([...collapsed.values()].sort((a, b) => a.ts - b.ts)).toEqual(wholeScrolls);

    const indexes = parts.map((p, seq) => ({ seq, index: p.index }));
    // The Meta event and the full snapshot are events 0 and 1: in chunks of one they part.
    const expectedSeek =
      size === 1
        ? { seq: 1, ts: events[1]!.timestamp, index: 0, startSeq: 0, start: 0 }
        : { seq: 0, ts: events[1]!.timestamp, index: 1, startSeq: 0, start: 0 };
    for (const t of [t0 - 1, t0 + 1000, t0 + fx.durationMs]) expect(seekPoint(indexes, t)).toEqual(expectedSeek);
    expect(parts.reduce((n, p) => n + p.index.eventCount, 0)).toBe(fx.events);
  });

  it('still counts clicks, time and activity when chunks are processed without the previous page', () => {
    const parts = inOrder(split(events, 50), false);
    const summary = summarizeSession(parts.map((p) => p.facts));
    const whole = summarizeSession([analyzeChunk(0, events).facts]);
    expect(summary).toMatchObject({
      durationMs: whole.durationMs,
      activeMs: whole.activeMs,
      clickCount: whole.clickCount,
      entryUrl: whole.entryUrl,
      pageCount: whole.pageCount,
    });
    // Without a context only the chunk holding the Meta event knows the page.
    expect(parts.slice(1).every((p) => p.events.every((e) => e.url === undefined))).toBe(true);
  });
});

describe('throughput', () => {
  it('measures extractTypedEvents + activityOf + indexEvents on the real recordings', () => {
    const recordings = FIXTURES.map((fx) => load(fx.name));
    const perRound = recordings.reduce((n, r) => n + r.length, 0);
    const run = (rounds: number): number => {
      let sink = 0;
      for (let round = 0; round < rounds; round++) {
        for (const events of recordings) {
          sink += extractTypedEvents(events, {}).events.length;
          sink += activityOf(events).activeIntervals.length;
          sink += indexEvents(events).fullSnapshots.length;
        }
      }
      return sink;
    };
    run(50);
    // The machine is shared, so report the median of a few timed runs rather than one.
    const rounds = 200;
    let sink = 0;
    const rates: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const start = performance.now();
      sink += run(rounds);
      rates.push((perRound * rounds) / ((performance.now() - start) / 1000));
    }
    rates.sort((a, b) => a - b);
    const fmt = (rate: number) => Math.round(rate).toLocaleString('en-US');
    console.log(
      `replay throughput: ${fmt(rates[2]!)} events/s median, ${fmt(rates[4]!)} best ` +
        `(extractTypedEvents + activityOf + indexEvents over both fixtures x${rounds} = ${perRound * rounds} events, 5 runs)`,
    );
    expect(sink).toBeGreaterThan(0);
  });
});
