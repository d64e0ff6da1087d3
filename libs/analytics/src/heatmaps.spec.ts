import { describe, expect, it } from 'vitest';
import { LOUPE_TAGS, RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';
import {
  cellCentre,
  deviceClassOf,
  documentCell,
  elementCell,
  elementCellCentre,
  heatInputsOf,
  scrollDepth,
  scrollReach,
  sessionHeat,
  HEAT_COLUMNS,
} from './heatmaps';
import type { PageView } from './page-views';

const custom = (ts: number, tag: string, payload: unknown): RecordedEvent => ({ type: RRWEB.Custom, timestamp: ts, data: { tag, payload } });
const click = (ts: number, x: number, y: number, width: number, box = { x: 100, y: 200, width: 200, height: 40 }, selector = '#buy') =>
  custom(ts, LOUPE_TAGS.click, {
    url: 'https://shop.example.com/product/12',
    selector,
    tag: 'button',
    text: 'Buy',
    x,
    y,
    box,
    viewport: { width, height: 800 },
    document: { width, height: 3000 },
  });
const scroll = (ts: number, maxDepth: number, width: number) =>
  custom(ts, LOUPE_TAGS.scroll, { url: 'https://shop.example.com/product/12', maxDepth, maxY: maxDepth * 3000, document: { width, height: 3000 }, viewport: { width, height: 800 } });
const view = (ts: number, windowId?: string): PageView => ({
  ...(windowId ? { windowId } : {}),
  ts,
  url: 'https://shop.example.com/product/12',
  pageKey: '/product/:id',
  durationMs: 1000,
  isEntry: true,
  isExit: true,
  signals: {},
  errors: 0,
});
const keyOf = () => '/product/:id';

describe('device classes', () => {
  it('follows the common responsive breakpoints', () => {
    expect([360, 767, 768, 1023, 1024, 1920].map(deviceClassOf)).toEqual(['mobile', 'mobile', 'tablet', 'tablet', 'desktop', 'desktop']);
  });
});

describe('binning', () => {
  it('puts x in a column by share of the document width and y in 10 px rows', () => {
    expect(documentCell(640, 205, 1280)).toEqual({ gx: 50, gy: 20 });
    expect(documentCell(195, 205, 390)).toEqual({ gx: 50, gy: 20 });
    expect(documentCell(1280, 0, 1280).gx).toBe(HEAT_COLUMNS - 1);
    expect(documentCell(-5, -5, 1280)).toEqual({ gx: 0, gy: 0 });
  });

  it('normalises across widths: the same share of two widths lands in one column and draws back in place', () => {
    const wide = documentCell(960, 50, 1280);
    const narrow = documentCell(292.5, 50, 390);
    expect(wide).toEqual(narrow);
    const drawn = cellCentre(wide.gx, wide.gy, 390);
    expect(Math.abs(drawn.x - 292.5)).toBeLessThan(390 / HEAT_COLUMNS);
    expect(Math.abs(drawn.y - 50)).toBeLessThan(10);
  });

  it('keeps element-relative positions: a click at the right of a button stays at its right when the button moves', () => {
    const atDesktop = elementCell(280, 220, { x: 100, y: 200, width: 200, height: 40 });
    expect(atDesktop).toEqual({ gx: 9, gy: 5 });
    // On a phone the button spans the width further down the page.
    const drawn = elementCellCentre(atDesktop.gx, atDesktop.gy, { x: 10, y: 900, width: 370, height: 48 });
    expect(drawn.x).toBeGreaterThan(10 + 0.9 * 370);
    expect(drawn.y).toBeGreaterThan(900 + 0.5 * 48);
    expect(drawn.y).toBeLessThan(900 + 0.6 * 48);
  });
});

describe('scroll depth', () => {
  it('is the bottom of the viewport over the document height, clamped', () => {
    expect(scrollDepth(0, 800, 3200)).toBe(0.25);
    expect(scrollDepth(2400, 800, 3200)).toBe(1);
    expect(scrollDepth(5000, 800, 3200)).toBe(1);
    expect(scrollDepth(0, 800, 600)).toBe(1);
  });

  it('turns a histogram of maximum depths into the share that reached each depth', () => {
    const { views, reach } = scrollReach([
      { bucket: 25, count: 2 },
      { bucket: 50, count: 1 },
      { bucket: 100, count: 1 },
    ]);
    expect(views).toBe(4);
    expect(reach[0]).toBe(1);
    expect(reach[25]).toBe(1);
    expect(reach[26]).toBe(0.5);
    expect(reach[50]).toBe(0.5);
    expect(reach[75]).toBe(0.25);
    expect(reach[100]).toBe(0.25);
  });
});

describe('heat inputs of a chunk', () => {
  it('reads clicks, scroll reports and sampled mouse moves in page coordinates', () => {
    const events: RecordedEvent[] = [
      { type: RRWEB.Meta, timestamp: 1000, data: { href: 'https://shop.example.com/product/12', width: 1280, height: 800 } },
      { type: RRWEB.FullSnapshot, timestamp: 1001, data: { node: { id: 1, type: 0, childNodes: [] }, initialOffset: { left: 0, top: 0 } } },
      { type: RRWEB.IncrementalSnapshot, timestamp: 1100, data: { source: RRWEB_SOURCE.Scroll, id: 1, x: 0, y: 500 } },
      // An inner scrolling box does not move the page.
      { type: RRWEB.IncrementalSnapshot, timestamp: 1150, data: { source: RRWEB_SOURCE.Scroll, id: 42, x: 0, y: 900 } },
      {
        type: RRWEB.IncrementalSnapshot,
        timestamp: 1500,
        data: { source: RRWEB_SOURCE.MouseMove, positions: [ { x: 10, y: 20, id: 5, timeOffset: -300 }, { x: 11, y: 21, id: 5, timeOffset: -250 }, { x: 12, y: 22, id: 5, timeOffset: 0 } ] },
      },
      click(1600, 150, 220, 1280),
      scroll(1700, 0.6, 1280),
    ];
    const heat = heatInputsOf(events, 'w1');
    expect(heat.windowId).toBe('w1');
    // Two of the three positions share one 200 ms window.
    expect(heat.moves).toEqual([
      { ts: 1200, x: 10, y: 520, viewportWidth: 1280, documentWidth: 1280 },
      { ts: 1500, x: 12, y: 522, viewportWidth: 1280, documentWidth: 1280 },
    ]);
    expect(heat.clicks).toMatchObject([{ selector: '#buy', x: 150, y: 220, viewportWidth: 1280, documentWidth: 1280 }]);
    expect(heat.scrolls).toMatchObject([{ maxDepth: 0.6, documentHeight: 3000, viewportWidth: 1280 }]);
  });

  it('leaves out pointer positions of a chunk that does not yet know how far the page is scrolled', () => {
    const move = (ts: number, y: number): RecordedEvent => ({ type: RRWEB.IncrementalSnapshot, timestamp: ts, data: { source: RRWEB_SOURCE.MouseMove, positions: [{ x: 5, y, id: 5, timeOffset: 0 }] } });
    const heat = heatInputsOf([
      { type: RRWEB.Meta, timestamp: 1000, data: { width: 1280, height: 800 } },
      move(1100, 10),
      { type: RRWEB.IncrementalSnapshot, timestamp: 1200, data: { source: RRWEB_SOURCE.Scroll, id: 1, x: 0, y: 300 } },
      move(1500, 10),
    ]);
    expect(heat.moves.map((m) => m.y)).toEqual([310]);
  });
});

describe('a session\'s heat', () => {
  it('bins clicks both ways, counts zones, times hovering and keeps each page view\'s deepest scroll', () => {
    const t = Date.UTC(2026, 11, 1, 10);
    const inputs = [
      heatInputsOf([
        { type: RRWEB.Meta, timestamp: t, data: { width: 390, height: 800 } },
        { type: RRWEB.IncrementalSnapshot, timestamp: t + 50, data: { source: RRWEB_SOURCE.Scroll, id: 1, x: 0, y: 0 } },
        { type: RRWEB.IncrementalSnapshot, timestamp: t + 100, data: { source: RRWEB_SOURCE.MouseMove, positions: [{ x: 150, y: 210, id: 3, timeOffset: 0 }] } },
        { type: RRWEB.IncrementalSnapshot, timestamp: t + 400, data: { source: RRWEB_SOURCE.MouseMove, positions: [{ x: 5, y: 5, id: 3, timeOffset: 0 }] } },
        click(t + 500, 150, 210, 390),
        click(t + 600, 160, 215, 390),
        scroll(t + 700, 0.4, 390),
        scroll(t + 900, 0.7, 390),
      ]),
    ];
    // The same chunk processed twice counts once.
    const heat = sessionHeat([...inputs, ...inputs], [view(t)], [{ ts: t + 600, kind: 'rage_click', url: 'https://shop.example.com/product/12', selector: '#buy', x: 160, y: 215 }], keyOf);
    const of = (layer: string) => heat.cells.filter((c) => c.layer === layer);
    expect(of('click').reduce((n, c) => n + c.count, 0)).toBe(2);
    expect(of('click').every((c) => c.device === 'mobile' && c.day === '2026-12-01' && c.pageKey === '/product/:id')).toBe(true);
    expect(of('element').map((c) => [c.selector, c.gx, c.gy, c.count])).toEqual([['#buy', 2, 2, 1], ['#buy', 3, 3, 1]]);
    expect(of('rage')).toHaveLength(1);
    expect(of('move')).toHaveLength(2);
    expect(of('scroll')).toEqual([expect.objectContaining({ gx: 70, count: 1, device: 'mobile' })]);
    expect(heat.scrollDepths).toEqual([{ maxDepth: 0.7, documentHeight: 3000 }]);
    expect(heat.zones).toEqual([
      { pageKey: '/product/:id', device: 'mobile', day: '2026-12-01', selector: '#buy', clicks: 2, visitors: 1, rage: 1, dead: 0, hoverMs: 300 },
    ]);
  });
});
