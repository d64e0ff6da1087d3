import { LOUPE_TAGS, RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';

/** Builders for hand-made rrweb streams in the specs; shaped as rrweb 2 records them. */
export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

export const meta = (ts: number, href: string, width = 1280, height = 720): RecordedEvent => ({
  type: RRWEB.Meta,
  timestamp: ts,
  data: { href, width, height },
});

export const fullSnapshot = (ts: number): RecordedEvent => ({
  type: RRWEB.FullSnapshot,
  timestamp: ts,
  data: { node: { type: 0, childNodes: [], id: 1 }, initialOffset: { top: 0, left: 0 } },
});

export const mutation = (ts: number): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.Mutation, texts: [], attributes: [], removes: [], adds: [] },
});

export const mouseMove = (ts: number): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.MouseMove, positions: [{ x: 10, y: 10, id: 5, timeOffset: 0 }] },
});

/** rrweb's MouseInteractions: 0 MouseUp, 1 MouseDown, 2 Click, 4 DblClick, 7 TouchStart... */
export const mouse = (ts: number, type: number, id: number, x: number, y: number): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.MouseInteraction, type, id, x, y },
});

export const click = (ts: number, id: number, x: number, y: number): RecordedEvent => mouse(ts, 2, id, x, y);

export const scroll = (ts: number, id: number, y: number, x = 0): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.Scroll, id, x, y },
});

export const input = (ts: number, id: number, text: string, extra: Record<string, unknown> = {}): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.Input, id, text, isChecked: false, ...extra },
});

export const loupe = (ts: number, tag: string, payload: unknown): RecordedEvent => ({
  type: RRWEB.Custom,
  timestamp: ts,
  data: { tag, payload },
});

export const pageview = (ts: number, url: string, navigation: 'load' | 'history' = 'load', viewport = { width: 1280, height: 720 }): RecordedEvent =>
  loupe(ts, LOUPE_TAGS.pageview, { url, title: 'Title', referrer: '', navigation, viewport });

export const consoleLog = (ts: number, level: string, args: string[]): RecordedEvent => ({
  type: RRWEB.Plugin,
  timestamp: ts,
  data: { plugin: 'rrweb/console@1', payload: { level, trace: ['at f (app.js:1:2)', 'at g (app.js:3:4)'], payload: args } },
});

export const focus = (ts: number, id: number): RecordedEvent => mouse(ts, 5, id, 0, 0);

export const selection = (ts: number): RecordedEvent => ({
  type: RRWEB.IncrementalSnapshot,
  timestamp: ts,
  data: { source: RRWEB_SOURCE.Selection, ranges: [{ start: 3, startOffset: 0, end: 3, endOffset: 4 }] },
});

/**
 * A pointer path: `points` are `[ms after ts, x, y]`. rrweb batches positions into one event sent
 * after the last of them, each with a negative offset from that event's time.
 */
export const pointerPath = (ts: number, points: Array<[number, number, number]>): RecordedEvent => {
  const last = points[points.length - 1]?.[0] ?? 0;
  return {
    type: RRWEB.IncrementalSnapshot,
    timestamp: ts + last,
    data: { source: RRWEB_SOURCE.MouseMove, positions: points.map(([offset, x, y]) => ({ x, y, id: 5, timeOffset: offset - last })) },
  };
};

/** A click as the Loupe SDK reports it (page coordinates, selector, element). */
export const loupeClick = (ts: number, x: number, y: number, extra: Record<string, unknown> = {}): RecordedEvent =>
  loupe(ts, LOUPE_TAGS.click, {
    url: 'https://shop.example.com/',
    selector: '#buy',
    tag: 'button',
    text: 'Buy',
    x,
    y,
    box: { x: x - 20, y: y - 10, width: 40, height: 20 },
    viewport: { width: 1280, height: 720 },
    document: { width: 1280, height: 3000 },
    nodeId: 42,
    ...extra,
  });

export const loupeError = (ts: number, message: string): RecordedEvent => loupe(ts, LOUPE_TAGS.error, { kind: 'error', message, url: 'https://shop.example.com/' });
