import { SignalSettings, type SignalThresholds } from '@loupe/contracts';
import type { RecordedEvent } from '@loupe/contracts/recording';
import { analyzeChunk } from '@loupe/replay';
import { click, focus, loupeClick, loupeError, mutation, pageview, pointerPath, scroll, selection, T0, input, consoleLog, meta } from '@loupe/replay/testing';
import { describe, expect, it } from 'vitest';
import { detectSignals, type Signal } from './detect';
import { signalInputsOf, type ChunkSignalInputs } from './inputs';

const defaults: SignalThresholds = SignalSettings.defaults;

/** One chunk as the worker reads it; `coveredUntil` defaults to its last event (the SDK cut the batch then). */
function chunk(seq: number, events: RecordedEvent[], opts: { windowId?: string; coveredUntil?: number; url?: string } = {}): ChunkSignalInputs {
  const analysis = analyzeChunk({ seq, ...(opts.windowId ? { windowId: opts.windowId } : {}) }, events, opts.url ? { url: opts.url } : {});
  return signalInputsOf({ seq, ...(opts.windowId ? { windowId: opts.windowId } : {}) }, events, analysis.events, {
    loupe: analysis.facts.loupe,
    ...(opts.coveredUntil !== undefined ? { coveredUntil: opts.coveredUntil } : {}),
  });
}

const kinds = (signals: Signal[]) => signals.map((s) => s.kind);
const at = (ms: number) => T0 + ms;
const page = pageview(at(0), 'https://shop.example.com/');

describe('rage clicks', () => {
  it('finds one burst of four clicks within a second of each other and 30 px, with its count', () => {
    const events = [page, ...[0, 200, 400, 600].map((d, i) => loupeClick(at(1000 + d), 100 + i * 5, 200)), mutation(at(9000))];
    const signals = detectSignals([chunk(0, events)], defaults);
    expect(signals).toEqual([expect.objectContaining({ kind: 'rage_click', ts: at(1000), selector: '#buy', x: 100, y: 200, details: { clicks: 4, durationMs: 600 } })]);
  });

  it('does not count clicks farther apart in time or space, nor a double click', () => {
    const slow = [0, 1100, 2200].map((d) => loupeClick(at(1000 + d), 100, 200));
    const spread = [0, 100, 200].map((d, i) => loupeClick(at(5000 + d), 100 + i * 40, 200));
    const double = [0, 150].map((d) => loupeClick(at(8000 + d), 300, 300));
    const effects = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => mutation(at(s * 1000 + 500)));
    const signals = detectSignals([chunk(0, [page, ...slow, ...spread, ...double, ...effects].sort((a, b) => a.timestamp - b.timestamp))], defaults);
    expect(kinds(signals)).not.toContain('rage_click');
  });

  it('sees a burst split between two batches as one burst', () => {
    const first = [page, loupeClick(at(1000), 100, 200), loupeClick(at(1300), 102, 200)];
    const second = [loupeClick(at(1600), 101, 201), loupeClick(at(1900), 100, 199), mutation(at(6000))];
    const signals = detectSignals([chunk(1, second), chunk(0, first), chunk(1, second)], defaults);
    expect(signals).toEqual([expect.objectContaining({ kind: 'rage_click', ts: at(1000), details: { clicks: 4, durationMs: 900 } })]);
  });

  it('follows the threshold settings', () => {
    const events = [page, ...[0, 200, 400].map((d) => loupeClick(at(1000 + d), 100, 200)), mutation(at(1500))];
    expect(kinds(detectSignals([chunk(0, events)], { ...defaults, rageClick: { ...defaults.rageClick, minClicks: 4 } }))).toEqual([]);
    expect(kinds(detectSignals([chunk(0, events)], defaults))).toEqual(['rage_click']);
  });
});

describe('dead clicks', () => {
  it('finds a click after which nothing changed for 2.5 s', () => {
    const events = [page, loupeClick(at(1000), 50, 60), mutation(at(3600))];
    expect(detectSignals([chunk(0, events)], defaults)).toEqual([expect.objectContaining({ kind: 'dead_click', ts: at(1000), selector: '#buy', x: 50, y: 60 })]);
  });

  it('is not dead when the page changes, navigates, moves focus elsewhere, scrolls or selects in time', () => {
    const cases: RecordedEvent[][] = [
      [loupeClick(at(1000), 1, 1), mutation(at(3400))],
      [loupeClick(at(1000), 1, 1), pageview(at(1800), 'https://shop.example.com/cart')],
      [loupeClick(at(1000), 1, 1), focus(at(1200), 77)],
      [loupeClick(at(1000), 1, 1), scroll(at(1080), 1, 300)],
      [loupeClick(at(1000), 1, 1), selection(at(1050))],
      [loupeClick(at(1000), 1, 1), input(at(1500), 9, 'x')],
    ];
    for (const events of cases) expect(kinds(detectSignals([chunk(0, [page, ...events, mutation(at(20_000))])], defaults))).toEqual([]);
  });

  it('still calls it dead when focus lands on the clicked element itself, or the visitor scrolls later', () => {
    const events = [page, loupeClick(at(1000), 1, 1), focus(at(1001), 42), scroll(at(1500), 1, 300), mutation(at(20_000))];
    expect(kinds(detectSignals([chunk(0, events)], defaults))).toEqual(['dead_click']);
  });

  it('is not dead when a menu opens after 2 s, even in the next batch', () => {
    const first = [page, loupeClick(at(1000), 1, 1)];
    const second = [mutation(at(3000)), mutation(at(9000))];
    expect(kinds(detectSignals([chunk(0, first, { coveredUntil: at(1200) }), chunk(1, second)], defaults))).toEqual([]);
    // Without the second batch it is not known yet: no signal until the recording covers 2.5 s, or the visit ends.
    expect(kinds(detectSignals([chunk(0, first, { coveredUntil: at(1200) })], defaults))).toEqual([]);
    expect(kinds(detectSignals([chunk(0, first, { coveredUntil: at(1200) })], defaults, { ended: true }))).toEqual(['dead_click']);
    expect(kinds(detectSignals([chunk(0, first, { coveredUntil: at(4000) })], defaults))).toEqual(['dead_click']);
  });

  it('waits for a missing batch rather than guess across the gap', () => {
    const first = [page, loupeClick(at(1000), 1, 1)];
    const third = [mutation(at(12_000))];
    expect(kinds(detectSignals([chunk(0, first, { coveredUntil: at(1100) }), chunk(2, third)], defaults))).toEqual([]);
  });

  it('never calls a click into a text field, a select, editable content or a canvas dead', () => {
    const targets = [
      { tag: 'input', inputType: 'email' },
      { tag: 'input', inputType: 'text' },
      { tag: 'textarea' },
      { tag: 'select' },
      { tag: 'div', editable: true },
      { tag: 'canvas' },
    ];
    for (const t of targets) expect(kinds(detectSignals([chunk(0, [page, loupeClick(at(1000), 1, 1, t), mutation(at(20_000))])], defaults))).toEqual([]);
    // A checkbox or a button input is a candidate like any button.
    expect(kinds(detectSignals([chunk(0, [page, loupeClick(at(1000), 1, 1, { tag: 'input', inputType: 'submit' }), mutation(at(20_000))])], defaults))).toEqual(['dead_click']);
  });

  it('works on plain rrweb clicks too', () => {
    const events = [meta(at(0), 'https://site.example.com/'), click(at(1000), 12, 40, 50), mutation(at(1500)), click(at(5000), 13, 400, 500), mutation(at(9000))];
    expect(detectSignals([chunk(0, events)], defaults)).toEqual([expect.objectContaining({ kind: 'dead_click', ts: at(5000), x: 400, y: 500 })]);
  });
});

describe('error clicks', () => {
  it('finds a click followed by an uncaught error within a second, with the message', () => {
    const events = [page, loupeClick(at(1000), 1, 1), loupeError(at(1040), 'TypeError: cart is undefined'), mutation(at(9000))];
    expect(detectSignals([chunk(0, events)], defaults)).toEqual([
      expect.objectContaining({ kind: 'error_click', ts: at(1000), details: { delayMs: 40, message: 'TypeError: cart is undefined' } }),
    ]);
  });

  it('does not count an error long after the click, nor a console.error from the page', () => {
    const late = [page, loupeClick(at(1000), 1, 1), mutation(at(1100)), loupeError(at(2500), 'late'), consoleLog(at(5000), 'error', ['logged']), loupeClick(at(4990), 9, 9), mutation(at(5001))];
    expect(kinds(detectSignals([chunk(0, late)], defaults))).toEqual([]);
  });

  it('finds the error in the next batch', () => {
    const signals = detectSignals([chunk(0, [page, loupeClick(at(1000), 1, 1)], { coveredUntil: at(1001) }), chunk(1, [loupeError(at(1300), 'boom'), mutation(at(4000))])], defaults);
    expect(kinds(signals)).toEqual(['error_click']);
  });

  it('reports a burst that throws as one rage click, not as error clicks as well', () => {
    const events = [page, ...[0, 300, 600].flatMap((d) => [loupeClick(at(1000 + d), 1, 1), loupeError(at(1010 + d), 'boom')])];
    expect(kinds(detectSignals([chunk(0, events)], defaults))).toEqual(['rage_click']);
  });
});

describe('u-turns', () => {
  it('finds a page left for the one before it within 7 s, at the arrival on that page', () => {
    const events = [pageview(at(0), 'https://shop.example.com/list'), pageview(at(10_000), 'https://shop.example.com/product/9'), pageview(at(13_000), 'https://shop.example.com/list?ref=back')];
    expect(detectSignals([chunk(0, events)], defaults)).toEqual([
      expect.objectContaining({ kind: 'u_turn', ts: at(10_000), url: 'https://shop.example.com/product/9', details: { dwellMs: 3000, fromUrl: 'https://shop.example.com/list' } }),
    ]);
  });

  it('does not count a longer stay, a page that goes on elsewhere, or a reload', () => {
    const long = [pageview(at(0), 'https://s.example/a'), pageview(at(1000), 'https://s.example/b'), pageview(at(9000), 'https://s.example/a')];
    const onwards = [pageview(at(0), 'https://s.example/a'), pageview(at(1000), 'https://s.example/b'), pageview(at(2000), 'https://s.example/c')];
    const reload = [pageview(at(0), 'https://s.example/a'), pageview(at(1000), 'https://s.example/a'), pageview(at(2000), 'https://s.example/a')];
    for (const events of [long, onwards, reload]) expect(kinds(detectSignals([chunk(0, events)], defaults))).toEqual([]);
  });

  it('compares pages the way the caller groups them', () => {
    const events = [pageview(at(0), 'https://s.example/product/1'), pageview(at(1000), 'https://s.example/cart'), pageview(at(2000), 'https://s.example/product/2')];
    const byTemplate = (a: string, b: string) => a.replace(/\/\d+$/, '/:id') === b.replace(/\/\d+$/, '/:id');
    expect(kinds(detectSignals([chunk(0, events)], defaults))).toEqual([]);
    expect(kinds(detectSignals([chunk(0, events)], defaults, { samePage: byTemplate }))).toEqual(['u_turn']);
  });

  it('follows each tab on its own, across batches', () => {
    const a0 = chunk(0, [pageview(at(0), 'https://s.example/a')], { windowId: 'w1' });
    const a1 = chunk(1, [pageview(at(1000), 'https://s.example/b')], { windowId: 'w1' });
    const b0 = chunk(0, [pageview(at(1500), 'https://s.example/a')], { windowId: 'w2' });
    const a2 = chunk(2, [pageview(at(3000), 'https://s.example/a')], { windowId: 'w1' });
    expect(detectSignals([a2, b0, a0, a1], defaults)).toEqual([expect.objectContaining({ kind: 'u_turn', windowId: 'w1', ts: at(1000) })]);
  });
});

describe('excessive scrolling', () => {
  const upAndDown = (start: number, reversals: number, stepMs = 800, distance = 600): RecordedEvent[] =>
    Array.from({ length: reversals + 2 }, (_, i) => scroll(at(start + i * stepMs), 1, i % 2 === 0 ? 1000 : 1000 + distance));

  it('finds five or more reversals within 10 s without a click', () => {
    const signals = detectSignals([chunk(0, [page, ...upAndDown(1000, 6)])], defaults);
    expect(signals).toEqual([expect.objectContaining({ kind: 'excessive_scroll', ts: at(1800), url: 'https://shop.example.com/', details: { reversals: 6, durationMs: 4000, node: 1 } })]);
  });

  it('does not count reading down a page, a few reversals, small bounces, or reversals split by a click', () => {
    const reading = Array.from({ length: 30 }, (_, i) => scroll(at(1000 + i * 300), 1, i * 200));
    const few = upAndDown(1000, 4);
    const bounces = upAndDown(1000, 10, 300, 40);
    const clicked = [...upAndDown(1000, 3), loupeClick(at(3900), 5, 5), mutation(at(3950)), ...upAndDown(4000, 3)];
    for (const events of [reading, few, bounces, clicked]) expect(kinds(detectSignals([chunk(0, [page, ...events])], defaults))).toEqual([]);
  });

  it('joins an episode across batches', () => {
    const events = upAndDown(1000, 6);
    const signals = detectSignals([chunk(0, [page, ...events.slice(0, 4)]), chunk(1, events.slice(4))], defaults);
    expect(signals).toEqual([expect.objectContaining({ kind: 'excessive_scroll', details: expect.objectContaining({ reversals: 6 }) })]);
  });
});

describe('thrashed cursor', () => {
  const shake = (start: number, swings: number, msPerSwing: number, width: number) =>
    pointerPath(at(start), Array.from({ length: swings + 1 }, (_, i): [number, number, number] => [i * msPerSwing, i % 2 === 0 ? 300 : 300 + width, 400]));

  it('finds the pointer swung left and right fast, many times', () => {
    const signals = detectSignals([chunk(0, [page, shake(1000, 10, 100, 200)])], defaults);
    expect(signals).toEqual([expect.objectContaining({ kind: 'thrashed_cursor', x: 500, y: 400, details: expect.objectContaining({ reversals: 9 }) })]);
  });

  it('does not count slow or small movements, or a few swings', () => {
    for (const path of [shake(1000, 10, 600, 200), shake(1000, 10, 50, 20), shake(1000, 4, 100, 200)]) {
      expect(kinds(detectSignals([chunk(0, [page, path])], defaults))).toEqual([]);
    }
  });
});

describe('detection as a whole', () => {
  it('gives the same signals whatever order and however often chunks arrive', () => {
    const c0 = chunk(0, [page, loupeClick(at(1000), 1, 1), loupeClick(at(1200), 1, 1)], { coveredUntil: at(1300) });
    const c1 = chunk(1, [loupeClick(at(1400), 1, 1), loupeClick(at(5000), 300, 300), loupeError(at(5100), 'x')], { coveredUntil: at(9000) });
    const c2 = chunk(2, [pageview(at(10_000), 'https://shop.example.com/p'), pageview(at(12_000), 'https://shop.example.com/')]);
    const once = detectSignals([c0, c1, c2], defaults);
    expect(kinds(once)).toEqual(['rage_click', 'error_click', 'u_turn']);
    expect(detectSignals([c2, c1, c0, c1, c2], defaults)).toEqual(once);
    expect(detectSignals(JSON.parse(JSON.stringify([c1, c0, c2])) as ChunkSignalInputs[], defaults)).toEqual(once);
  });
});
