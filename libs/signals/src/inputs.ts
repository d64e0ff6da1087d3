import { RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';
import type { TypedEvent } from '@loupe/replay';

/**
 * What the detectors need from one chunk, small enough to keep beside it. Signals are found over a
 * whole browser tab, chunk after chunk, so a burst of clicks split between two batches is still one
 * burst: this is the part of that work that only one chunk can do.
 */
export interface ChunkSignalInputs {
  seq: number;
  windowId?: string;
  firstTs?: number;
  lastTs?: number;
  /**
   * Until when the recording of this tab is known to be complete: the time the SDK cut the batch.
   * A click is only called dead once this is past its window (or the visit ended).
   */
  coveredUntil?: number;
  clicks: ClickInput[];
  errors: ErrorInput[];
  pages: PageInput[];
  /** The first effect of each kind in the chunk, for a click at the end of the chunk before it. */
  firstEffect: Effects;
  /** Vertical scroll paths, per scrolled node, reduced to their turning points: `[ts, y]`. */
  scrolls: ScrollPath[];
  /** The pointer's path reduced to its horizontal turning points: `[ts, x, y]`. */
  pointer: Array<[number, number, number]>;
  /** Times the visitor typed: like clicks, they end an episode of scrolling. */
  typing: number[];
}

/** First effect of each kind, in epoch ms (in `firstEffect`) or ms after a click (in `ClickInput.after`). */
export interface Effects {
  /** A DOM change, navigation, focus moving elsewhere, an input's value, media starting. */
  change?: number;
  scroll?: number;
  selection?: number;
}

export interface ClickInput {
  ts: number;
  url?: string;
  selector?: string;
  text?: string;
  x?: number;
  y?: number;
  nodeId?: number;
  /**
   * Whether the click could be a dead click: clicks into text fields, selects, editable content,
   * canvases, media and frames show nothing the recording can see, so they are never dead.
   */
  candidate: boolean;
  /** The first effect of each kind after the click, in this chunk, within `EFFECT_HORIZON_MS`. */
  after: Effects;
}

export interface ErrorInput {
  ts: number;
  message?: string;
}

export interface PageInput {
  ts: number;
  url: string;
}

export interface ScrollPath {
  node: number;
  path: Array<[number, number]>;
}

/** Effects later than this after a click are not looked for: no setting may ask for a longer window. */
export const EFFECT_HORIZON_MS = 30_000;

/** rrweb's MouseInteractions that move focus. */
const FOCUS = 5;
const BLUR = 6;
/** Elements whose clicks change nothing the recording shows (typing happens in inputs, canvases draw pixels). */
const NOT_CANDIDATE_TAGS = new Set(['textarea', 'select', 'option', 'canvas', 'video', 'audio', 'iframe', 'embed', 'object']);
/** Inputs whose clicks are for typing; buttons, checkboxes and the like change something visible. */
const TYPING_INPUTS = new Set(['', 'text', 'search', 'email', 'password', 'tel', 'url', 'number', 'date', 'datetime-local', 'month', 'week', 'time']);
const MESSAGE_MAX = 300;

/**
 * The inputs of one chunk from its rrweb events and the typed events extracted from them (in time
 * order). `loupe` says whether the chunk was read as recorded by Loupe's SDK, whose own clicks and
 * errors are then used; `coveredUntil` is when the SDK cut the batch.
 */
export function signalInputsOf(
  chunk: { seq: number; windowId?: string },
  events: readonly RecordedEvent[],
  typed: readonly TypedEvent[],
  opts: { loupe: boolean; coveredUntil?: number },
): ChunkSignalInputs {
  const out: ChunkSignalInputs = { seq: chunk.seq, clicks: [], errors: [], pages: [], firstEffect: {}, scrolls: [], pointer: [], typing: [] };
  if (chunk.windowId !== undefined) out.windowId = chunk.windowId;

  for (const e of typed) {
    if (e.kind === 'click') {
      out.clicks.push(clickInput(e));
    } else if (e.kind === 'error') {
      // Uncaught errors only: the SDK reports them itself; a plain rrweb recording has them in its console.
      const uncaught = e.name === 'error' || e.name === 'unhandledrejection' || (!opts.loupe && e.name === 'console');
      if (uncaught) out.errors.push(e.text ? { ts: e.ts, message: e.text.slice(0, MESSAGE_MAX) } : { ts: e.ts });
    } else if (e.kind === 'pageview' && e.url) {
      out.pages.push({ ts: e.ts, url: e.url });
    } else if (e.kind === 'input') {
      out.typing.push(e.ts);
    }
  }

  // Clicks still waiting for an effect of some kind, oldest first.
  let waiting = out.clicks.filter((c) => c.candidate);
  const scrolls = new Map<number, Array<[number, number]>>();
  const pointer: Array<[number, number, number]> = [];
  let firstTs = Infinity;
  let lastTs = -Infinity;

  const effect = (kind: keyof Effects, ts: number, node?: number) => {
    if (out.firstEffect[kind] === undefined) out.firstEffect[kind] = ts;
    if (waiting.length === 0) return;
    let expired = 0;
    for (const c of waiting) {
      if (ts - c.ts > EFFECT_HORIZON_MS) {
        expired++;
        continue;
      }
      // Focus landing on the clicked element itself is the click, not its effect.
      if (ts <= c.ts || c.after[kind] !== undefined || (node !== undefined && node === c.nodeId)) continue;
      c.after[kind] = ts - c.ts;
    }
    if (expired > 0 || waiting.some(done)) waiting = waiting.filter((c) => ts - c.ts <= EFFECT_HORIZON_MS && !done(c));
  };

  for (const e of events) {
    const ts = e.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    if (ts < firstTs) firstTs = ts;
    if (ts > lastTs) lastTs = ts;
    switch (e.type) {
      case RRWEB.Meta:
      case RRWEB.FullSnapshot:
        effect('change', ts);
        break;
      case RRWEB.Custom: {
        const tag = (e.data as { tag?: unknown } | undefined)?.tag;
        if (tag === 'loupe.pageview') effect('change', ts);
        break;
      }
      case RRWEB.IncrementalSnapshot: {
        const data = e.data as { source?: number; type?: number; id?: number; y?: number; x?: number; positions?: unknown } | undefined;
        if (!data) break;
        switch (data.source) {
          case RRWEB_SOURCE.Mutation:
          case RRWEB_SOURCE.Input:
          case RRWEB_SOURCE.MediaInteraction:
          case RRWEB_SOURCE.StyleSheetRule:
          case RRWEB_SOURCE.StyleDeclaration:
          case RRWEB_SOURCE.AdoptedStyleSheet:
          case RRWEB_SOURCE.CanvasMutation:
            effect('change', ts);
            break;
          case RRWEB_SOURCE.Selection:
            effect('selection', ts);
            break;
          case RRWEB_SOURCE.MouseInteraction:
            if (data.type === FOCUS || data.type === BLUR) effect('change', ts, typeof data.id === 'number' ? data.id : undefined);
            break;
          case RRWEB_SOURCE.Scroll: {
            effect('scroll', ts);
            if (typeof data.id !== 'number' || typeof data.y !== 'number' || !Number.isFinite(data.y)) break;
            let path = scrolls.get(data.id);
            if (!path) scrolls.set(data.id, (path = []));
            path.push([ts, Math.round(data.y)]);
            break;
          }
          case RRWEB_SOURCE.MouseMove:
          case RRWEB_SOURCE.Drag:
            if (Array.isArray(data.positions)) {
              for (const p of data.positions as Array<{ x?: unknown; y?: unknown; timeOffset?: unknown }>) {
                if (typeof p?.x !== 'number' || typeof p.y !== 'number' || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
                const offset = typeof p.timeOffset === 'number' && Number.isFinite(p.timeOffset) ? p.timeOffset : 0;
                pointer.push([ts + offset, Math.round(p.x), Math.round(p.y)]);
              }
            }
            break;
        }
        break;
      }
    }
  }

  if (firstTs !== Infinity) {
    out.firstTs = firstTs;
    out.lastTs = lastTs;
  }
  const covered = Math.max(lastTs, Math.min(opts.coveredUntil ?? lastTs, lastTs + 10 * 60_000));
  if (Number.isFinite(covered)) out.coveredUntil = covered;
  for (const [node, path] of scrolls) out.scrolls.push({ node, path: turningPoints(path, 1) });
  pointer.sort((a, b) => a[0] - b[0]);
  out.pointer = turningPoints(pointer, 1);
  return out;
}

const done = (c: ClickInput) => c.after.change !== undefined && c.after.scroll !== undefined && c.after.selection !== undefined;

function clickInput(e: TypedEvent): ClickInput {
  const props = e.props ?? {};
  const tag = typeof props['tag'] === 'string' ? props['tag'].toLowerCase() : undefined;
  const inputType = typeof props['inputType'] === 'string' ? props['inputType'].toLowerCase() : undefined;
  const candidate = !(props['editable'] === true || (tag !== undefined && NOT_CANDIDATE_TAGS.has(tag)) || (tag === 'input' && TYPING_INPUTS.has(inputType ?? '')));
  const c: ClickInput = { ts: e.ts, candidate, after: {} };
  if (e.url !== undefined) c.url = e.url;
  if (e.selector !== undefined) c.selector = e.selector;
  if (e.text !== undefined) c.text = e.text;
  if (e.x !== undefined) c.x = e.x;
  if (e.y !== undefined) c.y = e.y;
  if (e.nodeId !== undefined) c.nodeId = e.nodeId;
  return c;
}

/**
 * The first point, every point where the value at `axis` turns back, and the last point: what is
 * needed to count reversals and measure each swing, a fraction of the samples.
 */
export function turningPoints<P extends [number, number, ...number[]]>(points: readonly P[], axis: 1): P[] {
  if (points.length <= 2) return points.slice();
  const out: P[] = [];
  let direction = 0;
  let previous: P | undefined;
  for (const p of points) {
    if (!previous) {
      out.push(p);
    } else {
      const delta = p[axis] - previous[axis];
      if (delta === 0) continue;
      const d = Math.sign(delta);
      if (direction !== 0 && d !== direction && out[out.length - 1] !== previous) out.push(previous);
      direction = d;
    }
    previous = p;
  }
  if (previous && out[out.length - 1] !== previous) out.push(previous);
  return out;
}
