/**
 * What the recorder sends and the worker reads: plain constants and types with no runtime
 * dependency, so that the browser SDK can import them without pulling in a validation library.
 *
 * A recording is a stream of rrweb events. Loupe's own observations (page views, clicks, errors,
 * custom events...) travel inside that stream as rrweb custom events (type 5) whose `data.tag` is one
 * of `LOUPE_TAGS`, so an export is a pure rrweb recording and the player shows them in place.
 */

/** rrweb's event types (rrweb's `EventType`), repeated here so pure code need not import rrweb. */
export const RRWEB = {
  DomContentLoaded: 0,
  Load: 1,
  FullSnapshot: 2,
  IncrementalSnapshot: 3,
  Meta: 4,
  Custom: 5,
  Plugin: 6,
} as const;

/** rrweb's incremental snapshot sources (rrweb's `IncrementalSource`). */
export const RRWEB_SOURCE = {
  Mutation: 0,
  MouseMove: 1,
  MouseInteraction: 2,
  Scroll: 3,
  ViewportResize: 4,
  Input: 5,
  TouchMove: 6,
  MediaInteraction: 7,
  StyleSheetRule: 8,
  CanvasMutation: 9,
  Font: 10,
  Log: 11,
  Drag: 12,
  StyleDeclaration: 13,
  Selection: 14,
  AdoptedStyleSheet: 15,
  CustomElement: 16,
} as const;

/**
 * The incremental sources that are the visitor acting rather than the page changing by itself
 * (rrweb's own notion of user activity): they keep a session alive in the recorder and count as
 * active time in the analysis.
 */
export const USER_INTERACTION_SOURCES: readonly number[] = [
  RRWEB_SOURCE.MouseMove,
  RRWEB_SOURCE.MouseInteraction,
  RRWEB_SOURCE.Scroll,
  RRWEB_SOURCE.ViewportResize,
  RRWEB_SOURCE.Input,
  RRWEB_SOURCE.TouchMove,
  RRWEB_SOURCE.MediaInteraction,
  RRWEB_SOURCE.Drag,
  RRWEB_SOURCE.Selection,
];

export const LOUPE_TAGS = {
  pageview: 'loupe.pageview',
  click: 'loupe.click',
  track: 'loupe.track',
  error: 'loupe.error',
  identify: 'loupe.identify',
  exposure: 'loupe.exposure',
  scroll: 'loupe.scroll',
} as const;
export type LoupeTag = (typeof LOUPE_TAGS)[keyof typeof LOUPE_TAGS];

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PageviewPayload {
  url: string;
  title: string;
  referrer: string;
  /** `load` for a document load, `history` for a single-page-app navigation. */
  navigation: 'load' | 'history';
  viewport: { width: number; height: number };
}

export interface ClickPayload {
  url: string;
  /** A CSS selector that finds the element again: ids and `data-*` test hooks first, then a short path. */
  selector: string;
  tag: string;
  /** An input's `type`, so clicks into text fields are told from clicks on buttons. */
  inputType?: string;
  /** The element is editable content (`contenteditable`): clicks there are for typing. */
  editable?: boolean;
  /** Visible text, at most 100 characters; `*` for each character of masked text. */
  text: string;
  /** Page coordinates (relative to the document, not the viewport). */
  x: number;
  y: number;
  /** The element's box in page coordinates. */
  box: Box;
  viewport: { width: number; height: number };
  document: { width: number; height: number };
  /** rrweb's node id of the element, to find it in the replayed DOM. */
  nodeId?: number;
}

/**
 * How far down the current page the visitor has seen: sent again each time the furthest point grows
 * (after scrolling stops) and when the page is left, so the last one of a page view is its maximum.
 */
export interface ScrollPayload {
  url: string;
  /** The bottom of the furthest viewport seen, as a fraction (0–1) of the document's height. */
  maxDepth: number;
  /** The bottom of the furthest viewport seen, in CSS pixels from the top of the document. */
  maxY: number;
  document: { width: number; height: number };
  viewport: { width: number; height: number };
}

export interface TrackPayload {
  name: string;
  props: Record<string, string | number | boolean | null>;
}

export interface ErrorPayload {
  kind: 'error' | 'unhandledrejection';
  message: string;
  stack?: string;
  source?: string;
  line?: number;
  column?: number;
  url: string;
}

export interface IdentifyPayload {
  userId: string;
  traits: Record<string, string | number | boolean | null>;
}

export interface ExposurePayload {
  experiment: string;
  variant: string;
}

export interface LoupePayloads {
  'loupe.pageview': PageviewPayload;
  'loupe.click': ClickPayload;
  'loupe.track': TrackPayload;
  'loupe.error': ErrorPayload;
  'loupe.identify': IdentifyPayload;
  'loupe.exposure': ExposurePayload;
  'loupe.scroll': ScrollPayload;
}

/** An rrweb event as it travels: Loupe looks at `type`, `timestamp` and, for custom events, `data.tag`. */
export interface RecordedEvent {
  type: number;
  timestamp: number;
  data?: unknown;
  [key: string]: unknown;
}

/**
 * One batch, as JSON, gzip-compressed, posted to `/v1/ingest?key=<public key>`. The server checks
 * this envelope, stores the compressed bytes as they came, and answers 202.
 */
export interface IngestBatch {
  /** Wire format version. */
  v: 1;
  /** Random id made by the recorder, [A-Za-z0-9_-]{8,64}; rolls over after 30 minutes idle. */
  sessionId: string;
  /** Random id kept in first-party storage for the same browser. */
  visitorId: string;
  /**
   * Random id of one browser tab, [A-Za-z0-9_-]{8,64}. Several tabs of one visit share the session, and
   * each numbers its own batches, so a batch is identified by (sessionId, windowId, seq).
   */
  windowId: string;
  /** 0, 1, 2... per (session, window); a retry of a batch reuses its sequence number. */
  seq: number;
  /** Random id of this batch, for tracing a retry. */
  batchId: string;
  /** The browser's clock when the batch was made (ms since epoch). */
  sentAt: number;
  /** Events in time order. */
  events: RecordedEvent[];
}

/** Bounds the server enforces; the recorder keeps under them. */
export const INGEST_LIMITS = {
  /** Compressed body. */
  maxCompressedBytes: 1024 * 1024,
  /** Decompressed JSON. */
  maxDecompressedBytes: 16 * 1024 * 1024,
  /** Decompressed / compressed: above this a body is treated as a decompression bomb. */
  maxCompressionRatio: 200,
  maxEventsPerBatch: 20_000,
  /** How far an event's time may lie from the server's clock (a visit can be replayed from storage). */
  maxClockSkewMs: 7 * 24 * 3600_000,
} as const;

export const SESSION_IDLE_TIMEOUT_MS = 30 * 60_000;

/**
 * What `GET /v1/config?key=<public key>` answers: the public part of a project's settings, one
 * member per section (privacy rules, surveys, experiments...), read by the SDK when it starts.
 */
export interface SdkConfig {
  v: 1;
  [section: string]: unknown;
}

/** One running experiment as the SDK sees it (`experiments` section of `GET /v1/config`). */
export interface SdkExperiment {
  key: string;
  /** In order; weights add up to 1. */
  variants: Array<{ key: string; weight: number }>;
}

export interface ExperimentsSdkConfig {
  experiments: SdkExperiment[];
}

// How `Loupe.getVariant` assigns, here so that a site's server (or a test) can compute the same variant.

/**
 * A number in [0, 1) from the experiment key and the visitor id: FNV-1a over the UTF-16 code units,
 * then MurmurHash3's finalizer so that ids differing in their last characters spread over the whole
 * range. The same inputs give the same number in every browser, so a visitor keeps their variant.
 */
export function bucketOf(experimentKey: string, visitorId: string): number {
  const text = `${experimentKey}\u0000${visitorId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The variant whose share of [0, 1) holds the visitor's bucket; weights are taken relative to their sum. */
export function assignVariant(experiment: SdkExperiment, visitorId: string): string | null {
  const variants = experiment.variants.filter((v) => typeof v.key === 'string' && v.weight > 0);
  const total = variants.reduce((s, v) => s + v.weight, 0);
  if (!variants.length || !(total > 0)) return null;
  const point = bucketOf(experiment.key, visitorId) * total;
  let edge = 0;
  for (const v of variants) {
    edge += v.weight;
    if (point < edge) return v.key;
  }
  return variants[variants.length - 1]!.key;
}
