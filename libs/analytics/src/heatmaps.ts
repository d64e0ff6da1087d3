import { LOUPE_TAGS, RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';
import type { PageView } from './page-views';

/**
 * Heatmap binning. Positions are kept two ways so a map stays right when the layout changes with
 * the viewport width: relative to the document (x as a share of the document's width, y in CSS
 * pixels from the top, where a reader scrolls to) and relative to the clicked element (a grid over
 * its box, keyed by its selector, drawn wherever that element lies on the background page).
 */

/** Columns across the document's width: 1% of the width each. */
export const HEAT_COLUMNS = 100;
/** Rows down the document, in CSS pixels: fine enough to draw, coarse enough that rollups stay small. */
export const HEAT_ROW_PX = 10;
/** Cells across and down an element's box for element-relative positions. */
export const ELEMENT_GRID = 10;
/** Mouse positions kept per tab: at most one in each such window. */
export const MOVE_SAMPLE_MS = 200;
/** A pause longer than this between two pointer positions is not counted as hovering. */
const HOVER_GAP_MS = 1000;

export type HeatDevice = 'desktop' | 'tablet' | 'mobile';
export const HEAT_DEVICES: readonly HeatDevice[] = ['desktop', 'tablet', 'mobile'];
/** Below these CSS widths a page lays out for phones and tablets (common responsive breakpoints). */
const MOBILE_BELOW = 768;
const TABLET_BELOW = 1024;

/** The layout a viewport width gets: heatmaps are kept per device class because layouts differ. */
export function deviceClassOf(viewportWidth: number): HeatDevice {
  if (viewportWidth < MOBILE_BELOW) return 'mobile';
  if (viewportWidth < TABLET_BELOW) return 'tablet';
  return 'desktop';
}

/** A width that lays out as that device class, for drawing a background when none was recorded. */
export const DEVICE_WIDTHS: Record<HeatDevice, number> = { desktop: 1280, tablet: 820, mobile: 390 };

export interface HeatBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface HeatClick {
  ts: number;
  url: string;
  selector: string;
  /** Page coordinates. */
  x: number;
  y: number;
  box: HeatBox;
  viewportWidth: number;
  documentWidth: number;
}

export interface HeatMove {
  ts: number;
  /** Page coordinates. */
  x: number;
  y: number;
  viewportWidth: number;
  documentWidth: number;
}

export interface HeatScroll {
  ts: number;
  url: string;
  maxDepth: number;
  documentHeight: number;
  viewportWidth: number;
}

/** What one chunk brings to heatmaps, kept with its facts so a session's maps are rebuilt from them. */
export interface ChunkHeatInputs {
  windowId?: string;
  clicks: HeatClick[];
  moves: HeatMove[];
  scrolls: HeatScroll[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * Clicks and scroll depths from Loupe's own events; pointer positions from rrweb's mouse moves,
 * turned into page coordinates with the document's scroll offset and sampled.
 */
export function heatInputsOf(events: readonly RecordedEvent[], windowId?: string): ChunkHeatInputs {
  const out: ChunkHeatInputs = { ...(windowId !== undefined ? { windowId } : {}), clicks: [], moves: [], scrolls: [] };
  let docId = 1;
  let scrollX = 0;
  let scrollY = 0;
  // A chunk that starts mid-page does not know how far the page is scrolled until its first full
  // snapshot or document scroll: pointer positions before that cannot be placed on the page.
  let offsetKnown = false;
  let viewportWidth: number | undefined;
  let documentWidth: number | undefined;
  let lastBucket = -1;
  for (const e of events) {
    const data = rec(e.data);
    if (e.type === RRWEB.Meta) {
      viewportWidth = num(data['width']) ?? viewportWidth;
    } else if (e.type === RRWEB.FullSnapshot) {
      docId = num(rec(data['node'])['id']) ?? docId;
      const offset = rec(data['initialOffset']);
      scrollX = num(offset['left']) ?? 0;
      scrollY = num(offset['top']) ?? 0;
      offsetKnown = true;
    } else if (e.type === RRWEB.IncrementalSnapshot) {
      const source = data['source'];
      if (source === RRWEB_SOURCE.ViewportResize) viewportWidth = num(data['width']) ?? viewportWidth;
      else if (source === RRWEB_SOURCE.Scroll && data['id'] === docId) {
        scrollX = num(data['x']) ?? scrollX;
        scrollY = num(data['y']) ?? scrollY;
        offsetKnown = true;
      } else if (source === RRWEB_SOURCE.MouseMove && offsetKnown && viewportWidth !== undefined && Array.isArray(data['positions'])) {
        for (const p of data['positions'] as unknown[]) {
          const pos = rec(p);
          const x = num(pos['x']);
          const y = num(pos['y']);
          if (x === undefined || y === undefined) continue;
          const ts = e.timestamp + (num(pos['timeOffset']) ?? 0);
          const bucket = Math.floor(ts / MOVE_SAMPLE_MS);
          if (bucket === lastBucket) continue;
          lastBucket = bucket;
          out.moves.push({ ts, x: x + scrollX, y: y + scrollY, viewportWidth, documentWidth: documentWidth ?? viewportWidth });
        }
      }
    } else if (e.type === RRWEB.Custom) {
      const payload = rec(data['payload']);
      const url = typeof payload['url'] === 'string' ? payload['url'] : undefined;
      const vw = num(rec(payload['viewport'])['width']);
      const doc = rec(payload['document']);
      if (vw !== undefined) viewportWidth = vw;
      if (num(doc['width']) !== undefined) documentWidth = num(doc['width']);
      if (data['tag'] === LOUPE_TAGS.click) {
        const box = rec(payload['box']);
        const x = num(payload['x']);
        const y = num(payload['y']);
        const b = { x: num(box['x']), y: num(box['y']), width: num(box['width']), height: num(box['height']) };
        const dw = num(doc['width']);
        if (!url || typeof payload['selector'] !== 'string' || x === undefined || y === undefined || vw === undefined || !dw) continue;
        if (b.x === undefined || b.y === undefined || b.width === undefined || b.height === undefined) continue;
        out.clicks.push({ ts: e.timestamp, url, selector: payload['selector'].slice(0, 500), x, y, box: b as HeatBox, viewportWidth: vw, documentWidth: dw });
      } else if (data['tag'] === LOUPE_TAGS.scroll) {
        const depth = num(payload['maxDepth']);
        const dh = num(doc['height']);
        if (!url || depth === undefined || vw === undefined || dh === undefined) continue;
        out.scrolls.push({ ts: e.timestamp, url, maxDepth: clamp01(depth), documentHeight: dh, viewportWidth: vw });
      }
    }
  }
  return out;
}

export const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * The furthest share of a document seen: the bottom of the viewport over the document's height. A
 * document no taller than the viewport is seen whole.
 */
export function scrollDepth(scrollY: number, viewportHeight: number, documentHeight: number): number {
  if (documentHeight <= 0) return 1;
  return clamp01((scrollY + viewportHeight) / documentHeight);
}

/** The document cell of a page position: a column by share of the document's width, a row by pixels. */
export function documentCell(x: number, y: number, documentWidth: number): { gx: number; gy: number } {
  const gx = Math.min(HEAT_COLUMNS - 1, Math.max(0, Math.floor((x / Math.max(1, documentWidth)) * HEAT_COLUMNS)));
  const gy = Math.max(0, Math.floor(y / HEAT_ROW_PX));
  return { gx, gy };
}

/** Where in an element's box a position lies, on an ELEMENT_GRID × ELEMENT_GRID grid. */
export function elementCell(x: number, y: number, box: HeatBox): { gx: number; gy: number } {
  const cell = (v: number, start: number, size: number) =>
    Math.min(ELEMENT_GRID - 1, Math.max(0, Math.floor(((v - start) / Math.max(1, size)) * ELEMENT_GRID)));
  return { gx: cell(x, box.x, box.width), gy: cell(y, box.y, box.height) };
}

/** The page position of a document cell's centre for a document drawn at `documentWidth`. */
export function cellCentre(gx: number, gy: number, documentWidth: number): { x: number; y: number } {
  return { x: ((gx + 0.5) / HEAT_COLUMNS) * documentWidth, y: (gy + 0.5) * HEAT_ROW_PX };
}

/** The page position of an element cell's centre for the element's box on the background page. */
export function elementCellCentre(gx: number, gy: number, box: HeatBox): { x: number; y: number } {
  return { x: box.x + ((gx + 0.5) / ELEMENT_GRID) * box.width, y: box.y + ((gy + 0.5) / ELEMENT_GRID) * box.height };
}

/** The layers of a heatmap rollup. `element` cells are element-relative and carry a selector. */
export type HeatLayer = 'click' | 'move' | 'rage' | 'dead' | 'element' | 'scroll';

export interface HeatCell {
  pageKey: string;
  device: HeatDevice;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  layer: HeatLayer;
  /** Empty except for `element` cells. */
  selector: string;
  gx: number;
  gy: number;
  count: number;
}

export interface HeatZone {
  pageKey: string;
  device: HeatDevice;
  day: string;
  selector: string;
  clicks: number;
  /** 1: the visit clicked it (summed, a count of visits). */
  visitors: number;
  rage: number;
  dead: number;
  hoverMs: number;
}

export interface HeatSignal {
  ts: number;
  kind: string;
  url?: string;
  selector?: string;
  x?: number;
  y?: number;
  windowId?: string;
}

export interface SessionHeat {
  cells: HeatCell[];
  zones: HeatZone[];
  /** Per page view (by index in the list given), its maximum scroll depth, when the page reported one. */
  scrollDepths: Array<{ maxDepth: number; documentHeight: number } | null>;
}

export const dayOf = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/**
 * A session's whole contribution to heatmaps, from its chunks' inputs, its page views and its
 * frustration signals. Rage and dead clicks are placed with the document width of the click they
 * were found on.
 */
export function sessionHeat(
  inputs: readonly ChunkHeatInputs[],
  pageViews: readonly PageView[],
  signals: readonly HeatSignal[],
  keyOf: (url: string) => string,
): SessionHeat {
  const cells = new Map<string, HeatCell>();
  const zones = new Map<string, HeatZone>();
  const addCell = (c: Omit<HeatCell, 'count'>, n = 1) => {
    const k = `${c.pageKey}\u0000${c.device}\u0000${c.day}\u0000${c.layer}\u0000${c.selector}\u0000${c.gx}\u0000${c.gy}`;
    const cell = cells.get(k);
    if (cell) cell.count += n;
    else cells.set(k, { ...c, count: n });
  };
  const zone = (pageKey: string, device: HeatDevice, day: string, selector: string): HeatZone => {
    const k = `${pageKey}\u0000${device}\u0000${day}\u0000${selector}`;
    let z = zones.get(k);
    if (!z) zones.set(k, (z = { pageKey, device, day, selector, clicks: 0, visitors: 0, rage: 0, dead: 0, hoverMs: 0 }));
    return z;
  };

  // A chunk processed twice brings its inputs twice: one of each per tab and moment.
  const byTab = new Map<string, { clicks: Map<string, HeatClick>; moves: Map<number, HeatMove>; scrolls: Map<string, HeatScroll> }>();
  for (const input of inputs) {
    const id = input.windowId ?? '';
    let tab = byTab.get(id);
    if (!tab) byTab.set(id, (tab = { clicks: new Map(), moves: new Map(), scrolls: new Map() }));
    for (const c of input.clicks) tab.clicks.set(`${c.ts}\u0000${c.selector}`, c);
    for (const m of input.moves) tab.moves.set(m.ts, m);
    for (const s of input.scrolls) tab.scrolls.set(`${s.ts}\u0000${s.maxDepth}`, s);
  }

  const viewsOfTab = (id: string) =>
    pageViews.map((v, i) => ({ v, i })).filter(({ v }) => (v.windowId ?? '') === id).sort((a, b) => a.v.ts - b.v.ts);
  const viewAt = (views: Array<{ v: PageView; i: number }>, ts: number) => {
    let found: { v: PageView; i: number } | undefined;
    for (const x of views) if (x.v.ts <= ts) found = x;
    return found ?? views[0];
  };

  const scrollDepths: SessionHeat['scrollDepths'] = pageViews.map(() => null);
  const deviceOfView = new Map<number, HeatDevice>();
    const clickByTs = new Map<string, HeatClick>();
  for (const [id, tab] of byTab) {
    const views = viewsOfTab(id);
    const clicks = [...tab.clicks.values()].sort((a, b) => a.ts - b.ts);
    // Boxes of the elements clicked during each page view: hovering is timed over those.
    const boxes = new Map<number, Map<string, { box: HeatBox; device: HeatDevice; pageKey: string; day: string }>>();
    for (const c of clicks) {
      clickByTs.set(`${id}\u0000${c.ts}`, c);
      const pageKey = keyOf(c.url);
      const device = deviceClassOf(c.viewportWidth);
      const day = dayOf(c.ts);
      addCell({ pageKey, device, day, layer: 'click', selector: '', ...documentCell(c.x, c.y, c.documentWidth) });
      addCell({ pageKey, device, day, layer: 'element', selector: c.selector, ...elementCell(c.x, c.y, c.box) });
      const z = zone(pageKey, device, day, c.selector);
      z.clicks += 1;
      z.visitors = 1;
      const view = viewAt(views, c.ts);
      if (view) {
        let m = boxes.get(view.i);
        if (!m) boxes.set(view.i, (m = new Map()));
        m.set(c.selector, { box: c.box, device, pageKey, day });
      }
    }

    const moves = [...tab.moves.values()].sort((a, b) => a.ts - b.ts);
    for (const [j, m] of moves.entries()) {
      const view = viewAt(views, m.ts);
      if (!view) continue;
      const pageKey = view.v.pageKey;
      const device = deviceClassOf(m.viewportWidth);
      const day = dayOf(m.ts);
      addCell({ pageKey, device, day, layer: 'move', selector: '', ...documentCell(m.x, m.y, m.documentWidth) });
      const next = moves[j + 1];
      const dt = next ? Math.min(next.ts - m.ts, HOVER_GAP_MS) : MOVE_SAMPLE_MS;
      for (const [selector, b] of boxes.get(view.i) ?? []) {
        if (m.x >= b.box.x && m.x < b.box.x + b.box.width && m.y >= b.box.y && m.y < b.box.y + b.box.height) {
          zone(b.pageKey, b.device, b.day, selector).hoverMs += dt;
        }
      }
    }

    for (const s of tab.scrolls.values()) {
      const view = viewAt(views, s.ts);
      if (!view || keyOf(s.url) !== view.v.pageKey) continue;
      const prev = scrollDepths[view.i];
      if (!prev || s.maxDepth > prev.maxDepth) scrollDepths[view.i] = { maxDepth: s.maxDepth, documentHeight: s.documentHeight };
      deviceOfView.set(view.i, deviceClassOf(s.viewportWidth));
    }
  }
  pageViews.forEach((v, i) => {
    const d = scrollDepths[i];
    if (d) addCell({ pageKey: v.pageKey, device: deviceOfView.get(i) ?? 'desktop', day: dayOf(v.ts), layer: 'scroll', selector: '', gx: scrollBucket(d.maxDepth), gy: 0 });
  });

  for (const s of signals) {
    const layer = s.kind === 'rage_click' ? 'rage' : s.kind === 'dead_click' ? 'dead' : undefined;
    if (!layer || !s.url || s.x === undefined || s.y === undefined) continue;
    // Signals are found on clicks and carry the click's time: that click knows the document's width.
    const click = clickByTs.get(`${s.windowId ?? ''}\u0000${s.ts}`);
    if (!click) continue;
    const pageKey = keyOf(s.url);
    const device = deviceClassOf(click.viewportWidth);
    const day = dayOf(s.ts);
    addCell({ pageKey, device, day, layer, selector: '', ...documentCell(s.x, s.y, click.documentWidth) });
    const z = zone(pageKey, device, day, s.selector ?? click.selector);
    if (layer === 'rage') z.rage += 1;
    else z.dead += 1;
  }

  return { cells: [...cells.values()], zones: [...zones.values()].map((z) => ({ ...z, hoverMs: Math.round(z.hoverMs) })), scrollDepths };
}

/** The histogram bucket of a scroll depth: whole percents, 0–100. */
export function scrollBucket(depth: number): number {
  return Math.round(clamp01(depth) * 100);
}

/**
 * The share of page views that reached each depth (0–100%), from a histogram of their maximum
 * depths in whole percents: a view that reached 60% also reached every depth above it on the page.
 */
export function scrollReach(histogram: ReadonlyArray<{ bucket: number; count: number }>): { views: number; reach: number[] } {
  const counts = new Array<number>(101).fill(0);
  let views = 0;
  for (const h of histogram) {
    const bucket = Math.min(100, Math.max(0, h.bucket));
    counts[bucket] = (counts[bucket] ?? 0) + h.count;
    views += h.count;
  }
  const reach = new Array<number>(101).fill(0);
  let atOrBeyond = 0;
  for (let d = 100; d >= 0; d--) {
    // A depth no view stopped at adds none.
    atOrBeyond += counts[d] ?? 0;
    reach[d] = views ? atOrBeyond / views : 0;
  }
  return { views, reach };
}
