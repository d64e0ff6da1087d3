import { LOUPE_TAGS, type RecordedEvent } from '@loupe/contracts/recording';
import { describe, expect, it } from 'vitest';
import { analyzeChunk } from './chunk';
import { summarizeSession, type ChunkFacts } from './summary';
import { click, consoleLog, fullSnapshot, loupe, meta, mouseMove, mutation, pageview, scroll, T0 } from './test-events';

/** Processes chunks in order, carrying each chunk's last URL into the next, as the worker does. */
function factsInOrder(chunks: RecordedEvent[][]): ChunkFacts[] {
  let url: string | undefined;
  return chunks.map((events, seq) => {
    const analysis = analyzeChunk(seq, events, { url });
    url = analysis.lastUrl;
    return analysis.facts;
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const plainRecording: RecordedEvent[][] = [
  [meta(T0, 'https://shop.test/', 1440, 900), fullSnapshot(T0 + 5), mouseMove(T0 + 1000), click(T0 + 2000, 4, 10, 10)],
  [scroll(T0 + 5000, 1, 300), mutation(T0 + 6000), consoleLog(T0 + 7000, 'error', ['"oops"'])],
  [meta(T0 + 20_000, 'https://shop.test/cart', 1440, 900), fullSnapshot(T0 + 20_005), click(T0 + 21_000, 9, 20, 20)],
  [mutation(T0 + 40_000), click(T0 + 41_000, 9, 20, 20), meta(T0 + 50_000, 'https://shop.test/thanks', 1440, 900), fullSnapshot(T0 + 50_001)],
];

describe('summarizeSession', () => {
  it('summarises a plain rrweb session from its chunk facts', () => {
    expect(summarizeSession(factsInOrder(plainRecording))).toEqual({
      firstTs: T0,
      lastTs: T0 + 50_001,
      durationMs: 50_001,
      activeMs: 4000 + 0 + 0,
      entryUrl: 'https://shop.test/',
      exitUrl: 'https://shop.test/thanks',
      pageCount: 3,
      clickCount: 3,
      errorCount: 1,
      viewport: { width: 1440, height: 900 },
      eventCount: 14,
      chunkCount: 4,
      windowCount: 1,
      loupe: false,
    });
  });

  it('gives the same summary for chunks in any order and repeated', () => {
    const facts = factsInOrder(plainRecording);
    const expected = summarizeSession(facts);
    for (let seed = 1; seed <= 20; seed++) {
      const messy = shuffled([...facts, ...facts.slice(0, seed % facts.length), facts[seed % facts.length]!], seed);
      expect(summarizeSession(messy)).toEqual(expected);
    }
    // Facts that went through a database round trip are equal copies, not the same objects.
    const copies = JSON.parse(JSON.stringify([...facts, ...facts])) as ChunkFacts[];
    expect(summarizeSession(copies.reverse())).toEqual(expected);
  });

  it('equals the summary of the whole recording processed as one chunk', () => {
    const whole = summarizeSession([analyzeChunk(0, plainRecording.flat()).facts]);
    const split = summarizeSession(factsInOrder(plainRecording));
    expect({ ...split, chunkCount: 1 }).toEqual(whole);
  });

  it('picks the same fact when two versions of a chunk disagree, whatever their order', () => {
    const facts = factsInOrder(plainRecording);
    const other: ChunkFacts = { ...facts[1]!, errors: 5 };
    const a = summarizeSession([...facts, other]);
    const b = summarizeSession([other, ...facts.reverse()]);
    expect(a).toEqual(b);
  });

  it('summarises a Loupe session: page views, identify and viewport from the SDK', () => {
    const chunks: RecordedEvent[][] = [
      [
        meta(T0, 'https://app.test/', 390, 844),
        fullSnapshot(T0 + 1),
        pageview(T0 + 2, 'https://app.test/', 'load', { width: 390, height: 844 }),
        click(T0 + 1000, 5, 1, 1),
        loupe(T0 + 1001, LOUPE_TAGS.click, { url: 'https://app.test/', selector: '#a', x: 1, y: 1, nodeId: 5 }),
      ],
      [
        pageview(T0 + 3000, 'https://app.test/plans', 'history', { width: 390, height: 844 }),
        loupe(T0 + 3500, LOUPE_TAGS.identify, { userId: 'u-1', traits: {} }),
        loupe(T0 + 4000, LOUPE_TAGS.error, { kind: 'error', message: 'x', url: 'https://app.test/plans' }),
      ],
      [loupe(T0 + 9000, LOUPE_TAGS.identify, { userId: 'u-2', traits: {} }), mutation(T0 + 9500)],
    ];
    const summary = summarizeSession(shuffled(factsInOrder(chunks), 3));
    expect(summary).toMatchObject({
      entryUrl: 'https://app.test/',
      exitUrl: 'https://app.test/plans',
      pageCount: 2,
      clickCount: 1,
      errorCount: 1,
      viewport: { width: 390, height: 844 },
      userId: 'u-2',
      loupe: true,
      durationMs: 9500,
    });
  });

  it('tells chunks of different browser tabs apart, though each tab counts from 0', () => {
    const tabA = [
      analyzeChunk({ seq: 0, windowId: 'tab-a' }, [meta(T0, 'https://shop.test/', 1440, 900), click(T0 + 1000, 1, 1, 1)]),
      analyzeChunk({ seq: 1, windowId: 'tab-a' }, [click(T0 + 30_000, 1, 1, 1)], { url: 'https://shop.test/' }),
    ];
    const tabB = [
      analyzeChunk({ seq: 0, windowId: 'tab-b' }, [meta(T0 + 5000, 'https://shop.test/help', 800, 600), click(T0 + 6000, 2, 2, 2)]),
      analyzeChunk({ seq: 1, windowId: 'tab-b' }, [meta(T0 + 40_000, 'https://shop.test/contact', 800, 600)], { url: 'https://shop.test/help' }),
    ];
    const facts = [...tabA, ...tabB].map((a) => a.facts);
    expect(facts[2]).toMatchObject({ seq: 0, windowId: 'tab-b' });
    const summary = summarizeSession(shuffled([...facts, ...facts], 7));
    expect(summary).toMatchObject({
      chunkCount: 4,
      windowCount: 2,
      pageCount: 3,
      clickCount: 3,
      entryUrl: 'https://shop.test/',
      exitUrl: 'https://shop.test/contact',
      viewport: { width: 1440, height: 900 },
      durationMs: 40_000,
      activeMs: 5000,
    });
    expect(summarizeSession(facts)).toEqual(summary);
  });

  it('summarises nothing as zeros', () => {
    expect(summarizeSession([])).toEqual({
      durationMs: 0,
      activeMs: 0,
      pageCount: 0,
      clickCount: 0,
      errorCount: 0,
      eventCount: 0,
      chunkCount: 0,
      windowCount: 0,
      loupe: false,
    });
  });
});
