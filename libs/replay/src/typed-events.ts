import { LOUPE_TAGS, RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';
import {
  box,
  cappedProps,
  clip,
  coord,
  finite,
  isRecord,
  nodeIdOf,
  size,
  str,
  TYPED_EVENT_LIMITS,
} from './bounds';
import { observePage } from './urls';

export type TypedEventKind = 'pageview' | 'click' | 'scroll' | 'input' | 'error' | 'custom' | 'identify' | 'exposure';

/** One row of the session's event table, extracted from the rrweb stream. */
export interface TypedEvent {
  /** Epoch milliseconds, from the rrweb event. */
  ts: number;
  kind: TypedEventKind;
  /** The page the event happened on. */
  url?: string;
  /** Custom event name, error kind, user id of an identify, experiment key of an exposure. */
  name?: string;
  selector?: string;
  /** Visible text of a clicked element (already masked by the recorder), or an error message. */
  text?: string;
  /**
   * A click's position: page coordinates from the Loupe SDK, viewport coordinates from plain rrweb
   * (`props.coords` says which). A scroll's x/y is the node's scroll offset.
   */
  x?: number;
  y?: number;
  /** rrweb's node id of the target element. */
  nodeId?: number;
  props?: Record<string, unknown>;
}

export interface ExtractContext {
  /** The page the chunk starts on: the `lastUrl` of the chunk before it in the same tab, when known. */
  url?: string;
  /**
   * True when the session was recorded by Loupe's SDK, whose `loupe.click` and `loupe.pageview`
   * already describe what rrweb's clicks and Meta events would, so those are not extracted twice.
   * When absent, a chunk holding any Loupe event is taken as recorded by the SDK.
   */
  loupe?: boolean;
}

export interface Extraction {
  /** In time order. */
  events: TypedEvent[];
  /** The page the chunk ends on: the context for the chunk after it. */
  lastUrl?: string;
  /** Whether Loupe's own events were used in place of rrweb's clicks and Meta page views. */
  loupe: boolean;
}

/**
 * Scrolls fire tens of times a second; one sample per node and per second keeps the path of the
 * page without flooding the event table. Typing is sampled the same way.
 */
export const SAMPLE_WINDOW_MS = 1000;

/** rrweb's `MouseInteractions.Click`. */
const MOUSE_CLICK = 2;
const CONSOLE_PLUGIN = 'rrweb/console@1';
const LOUPE_PREFIX = 'loupe.';
const CONSOLE_TRACE_FRAMES = 10;

interface Sample {
  bucket: number;
  event: TypedEvent;
}

/** Whether any custom event in the chunk carries a Loupe tag. */
export function hasLoupeEvents(events: readonly RecordedEvent[]): boolean {
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event && event.type === RRWEB.Custom && isRecord(event.data)) {
      const tag = event.data['tag'];
      if (typeof tag === 'string' && tag.startsWith(LOUPE_PREFIX)) return true;
    }
  }
  return false;
}

/**
 * The typed events of one chunk. Deterministic for a given chunk and context, so processing a
 * chunk twice yields the same rows; input values and text are never read.
 */
export function extractTypedEvents(events: readonly RecordedEvent[], ctx: ExtractContext = {}): Extraction {
  const loupe = ctx.loupe ?? hasLoupeEvents(events);
  let url = str(ctx.url, TYPED_EVENT_LIMITS.url);
  const out: TypedEvent[] = [];
  const scrolls = new Map<number, Sample>();
  const inputs = new Map<number, number>();
  let outOfOrder = false;
  let lastTs = -Infinity;

  const push = (event: TypedEvent): void => {
    if (event.ts < lastTs) outOfOrder = true;
    else lastTs = event.ts;
    out.push(event);
  };

  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!isRecord(event)) continue;
    const ts = event.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    const data = event.data;
    if (!isRecord(data)) continue;

    switch (event.type) {
      case RRWEB.Meta: {
        const page = observePage(event);
        if (page?.url === undefined) break;
        if (!loupe && page.url !== url) {
          const props: Record<string, unknown> = { navigation: 'load' };
          if (page.viewport) props['viewport'] = page.viewport;
          push({ ts, kind: 'pageview', url: page.url, props });
        }
        url = page.url;
        break;
      }

      case RRWEB.IncrementalSnapshot: {
        const source = data['source'];
        if (source === RRWEB_SOURCE.MouseInteraction) {
          if (loupe || data['type'] !== MOUSE_CLICK) break;
          push(withUrl({ ts, kind: 'click', x: coord(data['x']), y: coord(data['y']), nodeId: nodeIdOf(data['id']), props: { coords: 'viewport' } }, url));
        } else if (source === RRWEB_SOURCE.Scroll) {
          const x = coord(data['x']);
          const y = coord(data['y']);
          if (x === undefined || y === undefined) break;
          const nodeId = nodeIdOf(data['id']);
          const key = nodeId ?? -1;
          const bucket = Math.floor(ts / SAMPLE_WINDOW_MS);
          const sample = scrolls.get(key);
          if (sample && sample.bucket === bucket) {
            // The sample keeps where the node ended up within its second, at the time it got there.
            const kept = sample.event;
            kept.ts = ts;
            kept.x = x;
            kept.y = y;
            if (url !== undefined) kept.url = url;
            // Rows pushed after the sample may now be older than it; a final stable sort restores order.
            if (out[out.length - 1] !== kept) outOfOrder = true;
            else if (ts > lastTs) lastTs = ts;
          } else {
            const fresh = withUrl({ ts, kind: 'scroll', x, y, nodeId }, url);
            scrolls.set(key, { bucket, event: fresh });
            push(fresh);
          }
        } else if (source === RRWEB_SOURCE.Input) {
          // Value changes made by page scripts are not the visitor's typing.
          if (data['userTriggered'] === false) break;
          const nodeId = nodeIdOf(data['id']);
          const key = nodeId ?? -1;
          const bucket = Math.floor(ts / SAMPLE_WINDOW_MS);
          if (inputs.get(key) === bucket) break;
          inputs.set(key, bucket);
          push(withUrl({ ts, kind: 'input', nodeId }, url));
        }
        break;
      }

      case RRWEB.Custom: {
        const tag = data['tag'];
        if (typeof tag !== 'string' || !tag.startsWith(LOUPE_PREFIX)) break;
        const payload = isRecord(data['payload']) ? data['payload'] : {};
        if (tag === LOUPE_TAGS.pageview) {
          const page = observePage(event);
          if (page?.url !== undefined) url = page.url;
          push(withUrl({ ts, kind: 'pageview', props: pageviewProps(payload, page?.viewport) }, url));
        } else {
          const typed = fromLoupe(tag, payload, ts, url);
          if (typed) push(typed);
        }
        break;
      }

      case RRWEB.Plugin: {
        if (data['plugin'] !== CONSOLE_PLUGIN) break;
        const log = data['payload'];
        if (!isRecord(log) || log['level'] !== 'error') break;
        const props: Record<string, unknown> = {};
        const trace = joinStrings(log['trace'], '\n', CONSOLE_TRACE_FRAMES, TYPED_EVENT_LIMITS.stack);
        if (trace) props['stack'] = trace;
        push(withUrl({ ts, kind: 'error', name: 'console', text: joinStrings(log['payload'], ' ', Infinity, TYPED_EVENT_LIMITS.text), props }, url));
        break;
      }
    }
  }

  if (outOfOrder) out.sort((a, b) => a.ts - b.ts);
  return url === undefined ? { events: out, loupe } : { events: out, lastUrl: url, loupe };
}

function fromLoupe(tag: string, payload: Record<string, unknown>, ts: number, url: string | undefined): TypedEvent | undefined {
  const here = str(payload['url'], TYPED_EVENT_LIMITS.url) ?? url;
  switch (tag) {
    case LOUPE_TAGS.click: {
      const props: Record<string, unknown> = { coords: 'page' };
      const tagName = str(payload['tag'], TYPED_EVENT_LIMITS.name);
      if (tagName) props['tag'] = tagName;
      const inputType = str(payload['inputType'], TYPED_EVENT_LIMITS.name);
      if (inputType) props['inputType'] = inputType;
      if (payload['editable'] === true) props['editable'] = true;
      const target = box(payload['box']);
      if (target) props['box'] = target;
      const viewport = size(payload['viewport']);
      if (viewport) props['viewport'] = viewport;
      const document = size(payload['document']);
      if (document) props['document'] = document;
      return withUrl(
        {
          ts,
          kind: 'click',
          selector: str(payload['selector'], TYPED_EVENT_LIMITS.selector),
          text: str(payload['text'], TYPED_EVENT_LIMITS.text),
          x: coord(payload['x']),
          y: coord(payload['y']),
          nodeId: nodeIdOf(payload['nodeId']),
          props,
        },
        here,
      );
    }
    case LOUPE_TAGS.track: {
      const name = str(payload['name'], TYPED_EVENT_LIMITS.name);
      if (!name) return undefined;
      return withUrl({ ts, kind: 'custom', name, props: cappedProps(payload['props']) ?? {} }, url);
    }
    case LOUPE_TAGS.error: {
      const props: Record<string, unknown> = {};
      const stack = str(payload['stack'], TYPED_EVENT_LIMITS.stack);
      if (stack) props['stack'] = stack;
      const source = str(payload['source'], TYPED_EVENT_LIMITS.url);
      if (source) props['source'] = source;
      const line = finite(payload['line']);
      if (line !== undefined) props['line'] = line;
      const column = finite(payload['column']);
      if (column !== undefined) props['column'] = column;
      const kind = payload['kind'] === 'unhandledrejection' ? 'unhandledrejection' : 'error';
      return withUrl({ ts, kind: 'error', name: kind, text: str(payload['message'], TYPED_EVENT_LIMITS.text), props }, here);
    }
    case LOUPE_TAGS.identify: {
      const userId = str(payload['userId'], TYPED_EVENT_LIMITS.name);
      if (!userId) return undefined;
      return withUrl({ ts, kind: 'identify', name: userId, props: cappedProps(payload['traits']) ?? {} }, url);
    }
    case LOUPE_TAGS.exposure: {
      const experiment = str(payload['experiment'], TYPED_EVENT_LIMITS.name);
      const variant = str(payload['variant'], TYPED_EVENT_LIMITS.name);
      if (!experiment || !variant) return undefined;
      return withUrl({ ts, kind: 'exposure', name: experiment, props: { variant } }, url);
    }
    default:
      return undefined;
  }
}

function pageviewProps(payload: Record<string, unknown>, viewport: { width: number; height: number } | undefined): Record<string, unknown> {
  const props: Record<string, unknown> = { navigation: payload['navigation'] === 'history' ? 'history' : 'load' };
  const title = str(payload['title'], TYPED_EVENT_LIMITS.text);
  if (title) props['title'] = title;
  const referrer = str(payload['referrer'], TYPED_EVENT_LIMITS.url);
  if (referrer) props['referrer'] = referrer;
  if (viewport) props['viewport'] = viewport;
  return props;
}

/**
 * Copies only the fields that are set, in one fixed order, so rows compare and serialise the same
 * however they were built (and without `delete`, which slows objects down in V8).
 */
function withUrl(event: TypedEvent, url: string | undefined): TypedEvent {
  const out: TypedEvent = { ts: event.ts, kind: event.kind };
  if (url !== undefined) out.url = url;
  if (event.name !== undefined) out.name = event.name;
  if (event.selector !== undefined) out.selector = event.selector;
  if (event.text !== undefined) out.text = event.text;
  if (event.x !== undefined) out.x = event.x;
  if (event.y !== undefined) out.y = event.y;
  if (event.nodeId !== undefined) out.nodeId = event.nodeId;
  if (event.props !== undefined) out.props = event.props;
  return out;
}

/** Joins the strings of an array, stopping once `max` characters are reached. */
function joinStrings(value: unknown, separator: string, maxItems: number, max: number): string | undefined {
  if (!Array.isArray(value)) return undefined;
  let out = '';
  let items = 0;
  for (const item of value) {
    if (typeof item !== 'string') continue;
    if (items >= maxItems || out.length >= max) break;
    out += items === 0 ? item : separator + item;
    items++;
  }
  return out.length > 0 ? clip(out, max) : undefined;
}
