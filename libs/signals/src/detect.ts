import type { SignalKind, SignalThresholds } from '@loupe/contracts';
import { turningPoints, type ChunkSignalInputs, type ClickInput, type Effects, type ErrorInput, type PageInput } from './inputs';

/** One moment of frustration in a recording. */
export interface Signal {
  kind: SignalKind;
  ts: number;
  /** The browser tab it happened in. */
  windowId?: string;
  url?: string;
  selector?: string;
  text?: string;
  x?: number;
  y?: number;
  details: Record<string, unknown>;
}

export interface DetectOptions {
  /** Whether two URLs are the same page (a u-turn comes back to the same page). Default: same URL without query and fragment. */
  samePage?: (a: string, b: string) => boolean;
  /** The visit is over: a click whose window runs past the end of the recording did nothing. */
  ended?: boolean;
}

/**
 * Every signal of a session from the inputs of its chunks, in any order and with repeats: the
 * answer depends only on the set of distinct chunks, so a session analysed again yields the same
 * signals. Sorted by time.
 */
export function detectSignals(chunks: readonly ChunkSignalInputs[], t: SignalThresholds, opts: DetectOptions = {}): Signal[] {
  const samePage = opts.samePage ?? sameWithoutQuery;
  const out: Signal[] = [];
  for (const tab of tabsOf(chunks)) {
    const found: Signal[] = [];
    const pageAt = pageLookup(tab.pages);
    const inBurst = rageClicks(tab.clicks, t, found, tab.windowId);
    const errorClicked = errorClicks(tab.clicks, tab.errors, inBurst, t, found, tab.windowId);
    deadClicks(tab, inBurst, errorClicked, t, !!opts.ended, found);
    uTurns(tab.pages, samePage, t, found, tab.windowId);
    excessiveScrolling(tab, t, pageAt, found);
    thrashedCursor(tab.pointer, t, pageAt, found, tab.windowId);
    for (const s of found) out.push(s);
  }
  return out.sort((a, b) => a.ts - b.ts || a.kind.localeCompare(b.kind) || (a.windowId ?? '').localeCompare(b.windowId ?? ''));
}

const sameWithoutQuery = (a: string, b: string) => a.split(/[?#]/)[0] === b.split(/[?#]/)[0];

/** The inputs of one browser tab, chunk after chunk. */
interface Tab {
  windowId?: string;
  chunks: ChunkSignalInputs[];
  clicks: Array<ClickInput & { chunk: number }>;
  errors: ErrorInput[];
  pages: PageInput[];
  scrolls: Map<number, Array<[number, number]>>;
  pointer: Array<[number, number, number]>;
  typing: number[];
}

function tabsOf(chunks: readonly ChunkSignalInputs[]): Tab[] {
  const byTab = new Map<string, Map<number, ChunkSignalInputs>>();
  for (const c of chunks) {
    const key = c.windowId ?? '';
    let tab = byTab.get(key);
    if (!tab) byTab.set(key, (tab = new Map()));
    // A chunk processed twice gives the same inputs: one copy each.
    if (!tab.has(c.seq)) tab.set(c.seq, c);
  }
  const tabs: Tab[] = [];
  for (const [windowId, bySeq] of [...byTab].sort(([a], [b]) => a.localeCompare(b))) {
    const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const tab: Tab = { chunks: ordered, clicks: [], errors: [], pages: [], scrolls: new Map(), pointer: [], typing: [] };
    if (windowId) tab.windowId = windowId;
    ordered.forEach((c, index) => {
      for (const click of c.clicks) tab.clicks.push({ ...click, chunk: index });
      tab.errors.push(...c.errors);
      tab.pages.push(...c.pages);
      for (const s of c.scrolls) {
        const path = tab.scrolls.get(s.node) ?? [];
        path.push(...s.path);
        tab.scrolls.set(s.node, path);
      }
      tab.pointer.push(...c.pointer);
      tab.typing.push(...c.typing);
    });
    // Chunks of one tab follow each other in time; a stable sort keeps ties in recording order.
    tab.clicks.sort((a, b) => a.ts - b.ts);
    tab.errors.sort((a, b) => a.ts - b.ts);
    tab.pages.sort((a, b) => a.ts - b.ts);
    tab.pointer.sort((a, b) => a[0] - b[0]);
    for (const [node, path] of tab.scrolls) tab.scrolls.set(node, path.sort((a, b) => a[0] - b[0]));
    tab.typing.sort((a, b) => a - b);
    tabs.push(tab);
  }
  return tabs;
}

function pageLookup(pages: readonly PageInput[]): (ts: number) => string | undefined {
  return (ts) => {
    let url: string | undefined;
    for (const p of pages) {
      if (p.ts > ts) break;
      url = p.url;
    }
    return url ?? pages[0]?.url;
  };
}

function base(kind: SignalKind, ts: number, windowId: string | undefined, click?: ClickInput): Signal {
  const s: Signal = { kind, ts, details: {} };
  if (windowId !== undefined) s.windowId = windowId;
  if (click) {
    if (click.url !== undefined) s.url = click.url;
    if (click.selector !== undefined) s.selector = click.selector;
    if (click.text !== undefined) s.text = click.text;
    if (click.x !== undefined) s.x = click.x;
    if (click.y !== undefined) s.y = click.y;
  }
  return s;
}

/** Clicks in quick succession close together; one signal per burst. Returns the clicks that are in a burst. */
function rageClicks(clicks: readonly ClickInput[], t: SignalThresholds, out: Signal[], windowId?: string): Set<ClickInput> {
  const { minClicks, maxIntervalMs, radiusPx } = t.rageClick;
  const inBurst = new Set<ClickInput>();
  const close = (burst: ClickInput[], first: ClickInput, last: ClickInput) => {
    if (burst.length < minClicks) return;
    const s = base('rage_click', first.ts, windowId, first);
    s.details = { clicks: burst.length, durationMs: last.ts - first.ts };
    out.push(s);
    for (const c of burst) inBurst.add(c);
  };
  let burst: ClickInput[] = [];
  let first: ClickInput | undefined;
  let prev: ClickInput | undefined;
  for (const click of clicks) {
    if (first && prev && !(click.ts - prev.ts <= maxIntervalMs && near(prev, click, radiusPx))) {
      close(burst, first, prev);
      burst = [];
      first = undefined;
    }
    first ??= click;
    burst.push(click);
    prev = click;
  }
  if (first && prev) close(burst, first, prev);
  return inBurst;
}

function near(a: ClickInput, b: ClickInput, radius: number): boolean {
  if (a.x === undefined || a.y === undefined || b.x === undefined || b.y === undefined) return a.selector !== undefined && a.selector === b.selector;
  return Math.hypot(a.x - b.x, a.y - b.y) <= radius;
}

/** A click followed by an uncaught error soon after; the error goes to the last click before it. */
function errorClicks(clicks: readonly ClickInput[], errors: readonly ErrorInput[], inBurst: Set<ClickInput>, t: SignalThresholds, out: Signal[], windowId?: string): Set<ClickInput> {
  const hit = new Set<ClickInput>();
  let c = -1;
  for (const error of errors) {
    for (let next = clicks[c + 1]; next && next.ts <= error.ts; next = clicks[c + 1]) c++;
    const click = clicks[c];
    if (!click || error.ts - click.ts > t.errorClick.windowMs || hit.has(click)) continue;
    hit.add(click);
    if (inBurst.has(click)) continue;
    const s = base('error_click', click.ts, windowId, click);
    s.details = { delayMs: error.ts - click.ts, ...(error.message ? { message: error.message } : {}) };
    out.push(s);
  }
  return hit;
}

/** A click after which nothing happened: no change, scroll or selection within their windows. */
function deadClicks(tab: Tab, inBurst: Set<ClickInput>, errorClicked: Set<ClickInput>, t: SignalThresholds, ended: boolean, out: Signal[]): void {
  const w = t.deadClick;
  const windows: Required<Effects> = { change: w.mutationWindowMs, scroll: w.scrollWindowMs, selection: w.selectionWindowMs };
  const longest = Math.max(windows.change, windows.scroll, windows.selection);
  for (const click of tab.clicks) {
    if (!click.candidate || inBurst.has(click) || errorClicked.has(click)) continue;
    let reacted = false;
    let covered = -Infinity;
    for (const kind of ['change', 'scroll', 'selection'] as const) {
      const after = click.after[kind];
      if (after !== undefined && after <= windows[kind]) reacted = true;
    }
    // Effects in the chunks after the click's, for the kinds its own chunk did not show.
    let previous: ChunkSignalInputs | undefined;
    for (const chunk of tab.chunks.slice(click.chunk)) {
      if (reacted) break;
      // A chunk not processed yet leaves a gap in what is known.
      if (previous && chunk.seq !== previous.seq + 1) break;
      covered = Math.max(covered, chunk.coveredUntil ?? chunk.lastTs ?? -Infinity);
      const own = !previous;
      previous = chunk;
      if (own) continue;
      if ((chunk.firstTs ?? Infinity) > click.ts + longest) break;
      for (const kind of ['change', 'scroll', 'selection'] as const) {
        const at = chunk.firstEffect[kind];
        if (click.after[kind] === undefined && at !== undefined && at > click.ts && at - click.ts <= windows[kind]) reacted = true;
      }
    }
    if (reacted) continue;
    // Not yet known: the recording does not reach the end of the window, and the visit goes on.
    if (!ended && covered < click.ts + longest) continue;
    const s = base('dead_click', click.ts, tab.windowId, click);
    s.details = { waitedMs: windows.change };
    out.push(s);
  }
}

/** To a page and straight back: the page did not have what the visitor came for. */
function uTurns(pages: readonly PageInput[], samePage: (a: string, b: string) => boolean, t: SignalThresholds, out: Signal[], windowId?: string): void {
  // A reload is not a navigation: consecutive views of one page count once, at their first.
  const distinct: PageInput[] = [];
  for (const p of pages) {
    const last = distinct[distinct.length - 1];
    if (!last || !samePage(last.url, p.url)) distinct.push(p);
  }
  for (let i = 1; i + 1 < distinct.length; i++) {
    const [from, page, back] = distinct.slice(i - 1, i + 2) as [PageInput, PageInput, PageInput];
    const dwell = back.ts - page.ts;
    if (dwell > t.uTurn.maxDwellMs || !samePage(from.url, back.url)) continue;
    const s = base('u_turn', page.ts, windowId);
    s.url = page.url;
    s.details = { dwellMs: dwell, fromUrl: from.url };
    out.push(s);
  }
}

/**
 * Times the value at `axis` turned back after moving at least `minDistance`, with the swing that
 * ended there: small bounces (momentum scrolling, a shaky hand) do not count.
 */
function reversals<P extends [number, number, ...number[]]>(path: readonly P[], minDistance: number): Array<{ at: P; swing: number; ms: number }> {
  const out: Array<{ at: P; swing: number; ms: number }> = [];
  const [start, ...rest] = turningPoints(path, 1);
  if (!start || rest.length < 2) return out;
  let from = start;
  let extreme = start;
  let direction = 0;
  for (const p of rest) {
    const d = Math.sign(p[1] - extreme[1]);
    if (d === 0) continue;
    if (direction === 0 || d === direction) {
      if (direction === 0 && Math.abs(p[1] - from[1]) < minDistance) continue;
      direction = d;
      extreme = p;
      continue;
    }
    // Moving back: a reversal once the way back is long enough.
    if (Math.abs(p[1] - extreme[1]) >= minDistance) {
      const swing = Math.abs(extreme[1] - from[1]);
      if (swing >= minDistance) out.push({ at: extreme, swing, ms: extreme[0] - from[0] });
      from = extreme;
      extreme = p;
      direction = d;
    }
  }
  return out;
}

/**
 * Episodes of at least `min` events within `windowMs` of each other, none crossing a reset:
 * `[first, last, count]`, overlapping windows joined into one episode.
 */
function episodes(times: readonly number[], min: number, windowMs: number, resets: readonly number[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let pending = resets.filter((r) => Number.isFinite(r));
  let window: number[] = [];
  let open: [number, number, number] | undefined;
  for (const t of times) {
    // A click or typing between two events separates them.
    const before = pending.filter((r) => r <= t);
    if (before.length) {
      pending = pending.slice(before.length);
      const last = window[window.length - 1];
      if (last !== undefined && before.some((r) => r > (window[0] ?? last))) {
        window = [];
        open = undefined;
      }
    }
    window.push(t);
    window = window.filter((w) => t - w <= windowMs);
    if (window.length < min) continue;
    const first = window[0] ?? t;
    if (open && first <= open[1]) {
      open[1] = t;
      open[2] += 1;
    } else {
      open = [first, t, window.length];
      out.push(open);
    }
  }
  return out;
}

function excessiveScrolling(tab: Tab, t: SignalThresholds, pageAt: (ts: number) => string | undefined, out: Signal[]): void {
  const { minReversals, windowMs, minDistancePx } = t.excessiveScroll;
  const resets = [...tab.clicks.map((c) => c.ts), ...tab.typing].sort((a, b) => a - b);
  for (const [node, path] of [...tab.scrolls].sort(([a], [b]) => a - b)) {
    const turns = reversals(path, minDistancePx);
    for (const [start, end, count] of episodes(turns.map((r) => r.at[0]), minReversals, windowMs, resets)) {
      const s = base('excessive_scroll', start, tab.windowId);
      const url = pageAt(start);
      if (url !== undefined) s.url = url;
      s.details = { reversals: count, durationMs: end - start, node };
      out.push(s);
    }
  }
}

function thrashedCursor(pointer: ReadonlyArray<[number, number, number]>, t: SignalThresholds, pageAt: (ts: number) => string | undefined, out: Signal[], windowId?: string): void {
  const { minReversals, windowMs, minDistancePx, minSpeedPxPerMs } = t.thrashedCursor;
  const fast = reversals(pointer, minDistancePx).filter((r) => r.ms > 0 && r.swing / r.ms >= minSpeedPxPerMs);
  for (const [start, end, count] of episodes(fast.map((r) => r.at[0]), minReversals, windowMs, [])) {
    const first = fast.find((r) => r.at[0] === start);
    const s = base('thrashed_cursor', start, windowId);
    const url = pageAt(start);
    if (url !== undefined) s.url = url;
    if (first) {
      s.x = first.at[1];
      s.y = first.at[2];
    }
    s.details = { reversals: count, durationMs: end - start };
    out.push(s);
  }
}
