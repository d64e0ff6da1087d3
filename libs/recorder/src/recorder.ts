import {
  INGEST_LIMITS,
  LOUPE_TAGS,
  RRWEB,
  USER_INTERACTION_SOURCES,
  type ErrorPayload,
  type IdentifyPayload,
  type LoupePayloads,
  type LoupeTag,
  type RecordedEvent,
  type SdkConfig,
} from '@loupe/contracts/recording';
import { getRecordConsolePlugin } from '@rrweb/rrweb-plugin-console-record';
import { record } from 'rrweb';
import { cleanProps, describe, envelopeJson, splitBySize, truncate } from './batch';
import { clickPayload, clickTarget } from './clicks';
import { gzip, gzipNow, utf8 } from './compress';
import { guard, warnOnce } from './guard';
import { randomId } from './ids';
import { ScrollDepth } from './scroll-depth';
import type { ConsoleLevel, ResolvedOptions } from './options';
import { Outbox } from './outbox';
import { fromWidget } from './feedback/widget';
import { variantFor } from './experiments';
import { loadRemoteConfig } from './remote-config';
import { maskText, privacyOptions, textRules, type TextRules } from './privacy';
import { newBatch, Sender, type Batch, type Settled } from './sender';
import { loadVisitorId, markWindowOpen, openWindow, SessionTracker, takeSeq } from './session';
import { browserStore, type KeyValueStore } from './storage';
import { beaconBatch, postBatch } from './transport';

/** What the visitor does, as opposed to what the page does by itself: only this keeps a session alive. */
const ACTIVITY_SOURCES = new Set<number>(USER_INTERACTION_SOURCES);
const ACTIVITY_TAGS = new Set<string>([LOUPE_TAGS.pageview, LOUPE_TAGS.click, LOUPE_TAGS.track, LOUPE_TAGS.identify, LOUPE_TAGS.exposure]);

/** Larger than this (in UTF-16 units, up to 3 bytes each in UTF-8) an event could not fit the server's limit. */
const MAX_EVENT_CHARS = Math.floor(INGEST_LIMITS.maxDecompressedBytes / 3) - 1024;
const MAX_ERRORS_PER_PAGE = 100;
const MAX_QUEUE_BYTES = 5_000_000;
/** Batches older than this would fall outside the server's clock-skew window. */
const OUTBOX_MAX_AGE_MS = INGEST_LIMITS.maxClockSkewMs - 24 * 3600_000;
/** Background tabs may run timers only once a minute, so a heartbeat is trusted for longer than that. */
const HEARTBEAT_STALE_MS = 90_000;

/** Every key the SDK keeps about the visitor; the consent answer itself and the project's configuration stay. */
function forgetStored(store: KeyValueStore): void {
  for (const k of store.keys()) if (k.startsWith('loupe.') && k !== CONSENT_KEY && !k.startsWith('loupe.config.')) store.remove(k);
}

export const CONSENT_KEY = 'loupe.consent';

function isActivity(e: RecordedEvent): boolean {
  const data = e.data as { source?: number; tag?: string } | undefined;
  if (e.type === RRWEB.IncrementalSnapshot) return ACTIVITY_SOURCES.has(data?.source ?? -1);
  if (e.type === RRWEB.Custom) return ACTIVITY_TAGS.has(data?.tag ?? '');
  return false;
}

/**
 * The console plugin bounds only objects it gives up on; a long string or an element's outerHTML
 * passes whole. Each logged value is cut here, and the stack trace shortened.
 */
function boundLog(data: unknown): void {
  const log = (data as { payload?: { payload?: unknown; trace?: unknown } } | undefined)?.payload;
  if (!log) return;
  if (Array.isArray(log.payload)) log.payload = log.payload.slice(0, 20).map((v) => (typeof v === 'string' && v.length > 1000 ? `${v.slice(0, 1000)}…` : v));
  if (Array.isArray(log.trace)) log.trace = log.trace.slice(0, 20);
}

const stackOf = (v: unknown): string | undefined => {
  const stack = (v as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? truncate(stack, 4000) : undefined;
};

type ConsolePlugin = ReturnType<typeof getRecordConsolePlugin>;
type ObserverArgs = Parameters<NonNullable<ConsolePlugin['observer']>>;

/**
 * rrweb's console plugin, with its window listeners guarded: it parses `event.error` with a stack
 * parser that throws on a cross-origin "Script error." (no error object), which would surface in
 * the host page as an exception of its own.
 */
function consolePlugin(levels: ConsoleLevel[]): ConsolePlugin {
  const inner = getRecordConsolePlugin({ level: levels, lengthThreshold: 200, stringifyOptions: { stringLengthLimit: 1000, numOfKeysLimit: 20, depthOfLimit: 2 } });
  const observe = inner.observer;
  if (!observe) return inner;
  return {
    ...inner,
    observer: (cb: ObserverArgs[0], win: ObserverArgs[1], options: ObserverArgs[2]) => {
      const wrapped = new Map<unknown, EventListener>();
      const shim = {
        console: win.console,
        addEventListener(type: string, h: EventListener) {
          const g = guard('console recording', h) as EventListener;
          wrapped.set(h, g);
          win.addEventListener(type, g);
        },
        removeEventListener(type: string, h: EventListener) {
          win.removeEventListener(type, wrapped.get(h) ?? h);
        },
      };
      return observe(guard('console recording', cb), shim as unknown as ObserverArgs[1], options);
    },
  };
}

/** One recording of one page: rrweb, Loupe's own events, batching and delivery. */
export class Recorder {
  readonly visitorId: string;
  readonly windowId: string;
  readonly session: SessionTracker;
  running = false;
  /** The project's settings for the SDK (`GET /v1/config`), asked for as soon as the recorder exists. */
  readonly remoteConfig: Promise<SdkConfig>;
  private readonly local: KeyValueStore = browserStore('localStorage');
  private readonly tab: KeyValueStore = browserStore('sessionStorage');
  private readonly outbox: Outbox;
  private readonly sender: Sender;
  private rules: TextRules;
  /** Uncompressed bodies of batches still being compressed, for a page closing meanwhile. */
  private readonly raw = new WeakMap<Batch, Uint8Array>();
  private buffer: string[] = [];
  private bufferChars = 0;
  private rolling = false;
  private stopRrweb: (() => void) | undefined;
  private readonly cleanups: Array<() => void> = [];
  private interval: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private lastUrl = '';
  private lastTs = 0;
  private errors = 0;
  private user: IdentifyPayload | undefined;
  private readonly scrollDepth = new ScrollDepth((p) => this.custom(LOUPE_TAGS.scroll, p));
  private readonly customListeners: Array<(tag: LoupeTag, payload: unknown) => void> = [];
  /** Experiments whose exposure this page has recorded. */
  private readonly exposed = new Set<string>();

  constructor(
    private o: ResolvedOptions,
    remoteConfig?: Promise<SdkConfig>,
  ) {
    this.visitorId = loadVisitorId(this.local);
    this.windowId = openWindow(this.tab);
    this.session = new SessionTracker(this.local, Date.now());
    this.remoteConfig = remoteConfig ?? loadRemoteConfig(o, this.tab, Date.now());
    this.outbox = new Outbox(this.local, o.maxStoredBytes);
    this.rules = textRules(o);
    this.sender = new Sender({
      post: postBatch,
      beacon: beaconBatch,
      ...o.retry,
      maxQueueBytes: MAX_QUEUE_BYTES,
      onSettled: (b, how, status) => this.settled(b, how, status),
    });
  }

  /** `tightened`: the options with the project's masking laid over them, once its configuration is known. */
  start(tightened: ResolvedOptions = this.o): void {
    this.o = tightened;
    this.rules = textRules(tightened);
    this.running = true;
    const now = Date.now();
    this.adopt(true);
    this.outbox.beat(this.windowId, now);
    this.outbox.sweepHeartbeats(now, 24 * 3600_000);
    this.stopRrweb = record({
      emit: guard('recording', (e: unknown) => this.onEvent(e as RecordedEvent)),
      ...privacyOptions(this.o),
      checkoutEveryNms: this.o.checkoutEveryNms || undefined,
      // rrweb 2 follows stylesheets that finish loading after the snapshot, so there is no need to
      // wait for the load event, which images can hold back for seconds of unrecorded visit.
      recordAfter: 'DOMContentLoaded',
      slimDOMOptions: 'all',
      sampling: { scroll: 150, media: 800, input: 'last' },
      plugins: this.o.console.length ? [consolePlugin(this.o.console)] : [],
      errorHandler: (error: unknown) => {
        warnOnce('rrweb', 'part of the page could not be recorded.', error);
        return true;
      },
    });
    this.pageview('load');

    const passive = { capture: true, passive: true };
    this.listen(document, 'click', (e) => this.click(e as MouseEvent), passive);
    this.listen(window, 'scroll', () => this.scrollDepth.observe(), { passive: true });
    this.listen(window, 'resize', () => this.scrollDepth.observe(), { passive: true });
    this.listen(window, 'error', (e) => this.onError(e), { passive: true });
    this.listen(window, 'unhandledrejection', (e) => this.onRejection(e as PromiseRejectionEvent), { passive: true });
    this.listen(window, 'popstate', () => this.navigated(), passive);
    this.listen(window, 'hashchange', () => this.navigated(), passive);
    this.listen(document, 'visibilitychange', () => document.visibilityState === 'hidden' && this.hide(false), passive);
    this.listen(window, 'pagehide', () => this.hide(true), passive);
    this.listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && this.reopen(), passive);
    this.patchHistory();
    this.interval = setInterval(guard('sending', () => this.tick()), this.o.flushIntervalMs);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const undo of this.cleanups.splice(0)) guard('stop', undo)();
    guard('stop', () => this.stopRrweb?.())();
    clearInterval(this.interval);
    this.scrollDepth.report();
    this.scrollDepth.stop();
    this.cut(false);
    this.session.save(Date.now());
    markWindowOpen(this.tab, false);
  }

  /**
   * Stops recording and sends nothing more: what is buffered, queued or kept for the next page is
   * dropped, and the visitor and session ids are forgotten, so that nothing identifies the visitor
   * afterwards. A request already on its way cannot be called back.
   */
  forget(): void {
    this.running = false;
    for (const undo of this.cleanups.splice(0)) guard('stop', undo)();
    guard('stop', () => this.stopRrweb?.())();
    clearInterval(this.interval);
    clearTimeout(this.soon);
    this.buffer = [];
    this.bufferChars = 0;
    for (const b of [...this.sender.queue]) this.sender.discard(b, new Error('consent withdrawn'));
    forgetStored(this.local);
    forgetStored(this.tab);
  }

  track(name: string, props: unknown): void {
    this.custom(LOUPE_TAGS.track, { name: truncate(String(name), 200), props: cleanProps(props) });
  }

  identify(userId: string, traits: unknown): void {
    this.user = { userId: truncate(String(userId), 200), traits: cleanProps(traits) };
    this.custom(LOUPE_TAGS.identify, this.user);
  }

  exposure(experiment: string, variant: string): void {
    this.custom(LOUPE_TAGS.exposure, { experiment: truncate(String(experiment), 200), variant: truncate(String(variant), 200) });
  }

  /**
   * The visitor's variant of a running experiment, and its exposure recorded (once per page: the
   * server keeps each visitor's first). Null when the experiment is not running.
   */
  async getVariant(experiment: string): Promise<string | null> {
    const key = String(experiment);
    const variant = variantFor(await this.remoteConfig, key, this.visitorId, this.local);
    if (variant !== null && this.running && !this.exposed.has(key)) {
      this.exposed.add(key);
      this.exposure(key, variant);
    }
    return variant;
  }

  flush(): Promise<void> {
    this.scrollDepth.report();
    this.cut(false);
    return this.sender.settled();
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => unknown, options: AddEventListenerOptions): void {
    const h = guard(`the ${type} listener`, fn);
    target.addEventListener(type, h, options);
    this.cleanups.push(() => target.removeEventListener(type, h, options));
  }

  private onEvent(e: RecordedEvent): void {
    if (!this.running) return;
    const now = Date.now();
    if (!this.rolling) {
      if (isActivity(e)) {
        const before = this.session.id;
        if (this.session.activity(now)) this.rollover(before);
      } else if (!this.session.isLive(now)) {
        // The visit is over: what the page does alone until the visitor returns belongs to no session.
        return;
      }
    }
    // Keeps the stream in time order when a new session's snapshot was taken inside this event.
    if (e.timestamp < this.lastTs) e.timestamp = this.lastTs;
    this.lastTs = e.timestamp;
    if (e.type === RRWEB.Plugin) boundLog(e.data);
    const json = JSON.stringify(e);
    if (json.length > MAX_EVENT_CHARS) {
      warnOnce('event too large', 'a part of the page was too large to record and was left out.');
      return;
    }
    this.buffer.push(json);
    this.bufferChars += json.length;
    if ((this.bufferChars >= this.o.maxBatchBytes || this.buffer.length >= this.o.maxBatchEvents) && this.soon === undefined) {
      // Not inside rrweb's callback: the page's own event handling comes first.
      this.soon = setTimeout(guard('sending', () => this.cut(false)), 0);
    }
  }

  /** A new session while the page stays open: it gets its own full snapshot, page view and user. */
  private rollover(previous: string): void {
    this.rolling = true;
    try {
      // How far the page was read so far belongs to the visit that is ending.
      this.scrollDepth.report();
      this.cut(false, previous);
      try {
        record.takeFullSnapshot();
      } catch {
        // rrweb has not started yet; its first snapshot will open the session.
      }
      this.pageview('load');
      if (this.user) this.custom(LOUPE_TAGS.identify, this.user);
    } finally {
      this.rolling = false;
    }
  }

  /** Follows Loupe's own events (page views, track, exposure...) as they are recorded: the feedback widget's triggers. */
  onCustom(listener: (tag: LoupeTag, payload: unknown) => void): void {
    this.customListeners.push(guard('feedback', listener));
  }

  private custom<T extends LoupeTag>(tag: T, payload: LoupePayloads[T]): void {
    try {
      record.addCustomEvent(tag, payload);
    } catch {
      // rrweb waits for the page's load event; until then Loupe's events go straight to the buffer.
      this.onEvent({ type: RRWEB.Custom, timestamp: Date.now(), data: { tag, payload } });
    }
    for (const listener of this.customListeners) listener(tag, payload);
  }

  private pageview(navigation: 'load' | 'history'): void {
    const url = location.href;
    const referrer = navigation === 'history' ? this.lastUrl : document.referrer;
    // The previous page's furthest point is reported under its own URL, before the new page opens.
    this.scrollDepth.report();
    this.lastUrl = url;
    const title = truncate(document.title || '', 300);
    this.custom(LOUPE_TAGS.pageview, {
      url,
      title: this.o.maskAllText ? maskText(title) : title,
      referrer,
      navigation,
      viewport: { width: window.innerWidth, height: window.innerHeight },
    });
    this.scrollDepth.page(url);
  }

  private navigated(): void {
    if (this.running && location.href !== this.lastUrl) this.pageview('history');
  }

  private patchHistory(): void {
    const h = window.history;
    const navigated = guard('page views', () => this.navigated());
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = h[name];
      const patched = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        navigated();
        return result;
      };
      h[name] = patched;
      // Someone may have wrapped ours since; unwrapping would drop their wrapper, so ours stays, idle.
      this.cleanups.push(() => h[name] === patched && (h[name] = original));
    }
  }

  private click(ev: MouseEvent): void {
    // The feedback widget's own clicks are not the visitor using the page.
    if (!ev.isTrusted || fromWidget(ev.target)) return;
    const el = clickTarget(ev.target, this.rules);
    if (el) this.custom(LOUPE_TAGS.click, clickPayload(ev, el, this.rules, record.mirror.getId(el)));
  }

  private reportError(p: Omit<ErrorPayload, 'url'>): void {
    if (++this.errors > MAX_ERRORS_PER_PAGE) return;
    this.custom(LOUPE_TAGS.error, { ...p, url: location.href });
  }

  private onError(ev: Event): void {
    // Failed images and scripts also fire `error`, without a message: those are not script errors.
    if (!('message' in ev)) return;
    const e = ev as ErrorEvent;
    this.reportError({
      kind: 'error',
      message: truncate(e.message || describe(e.error), 1000),
      stack: stackOf(e.error),
      source: e.filename || undefined,
      line: e.lineno || undefined,
      column: e.colno || undefined,
    });
  }

  private onRejection(ev: PromiseRejectionEvent): void {
    this.reportError({ kind: 'unhandledrejection', message: describe(ev.reason), stack: stackOf(ev.reason) });
  }

  private tick(): void {
    const now = Date.now();
    this.cut(false);
    this.outbox.beat(this.windowId, now);
    this.adopt(false);
    this.sender.pump();
  }

  /** Turns the buffer into numbered batches, compressed now (`sync`, for a closing page) or in the background. */
  private cut(sync: boolean, sessionId = this.session.id): void {
    clearTimeout(this.soon);
    this.soon = undefined;
    if (!this.buffer.length) return;
    const parts = this.buffer;
    this.buffer = [];
    this.bufferChars = 0;
    for (const [start, end] of splitBySize(
      parts.map((p) => p.length),
      this.o.maxBatchBytes,
      this.o.maxBatchEvents,
    )) {
      const seq = takeSeq(this.tab, sessionId, this.windowId);
      const json = envelopeJson({ v: 1, sessionId, visitorId: this.visitorId, windowId: this.windowId, seq, batchId: randomId(), sentAt: Date.now() }, parts.slice(start, end));
      const raw = utf8(json);
      if (raw.length > INGEST_LIMITS.maxDecompressedBytes) {
        warnOnce('event too large', 'a part of the page was too large to record and was left out.');
        continue;
      }
      const batch = newBatch({ sessionId, windowId: this.windowId, seq, url: this.o.ingestUrl, size: raw.length });
      this.raw.set(batch, raw);
      if (sync) {
        guard('compression', () => this.compressed(batch, gzipNow(raw)))();
      } else {
        const done = guard('compression', (body: Uint8Array) => this.compressed(batch, body));
        batch.ready = gzip(raw).then(done, () => done(gzipNow(raw)));
      }
      this.sender.enqueue(batch, !sync);
    }
  }

  private compressed(b: Batch, body: Uint8Array): void {
    const raw = this.raw.get(b);
    if (!raw || b.body || b.done) return;
    this.raw.delete(b);
    // The server takes a body that inflates too far for a decompression bomb; gzip's "stored" mode does not inflate.
    if (raw.length > body.length * INGEST_LIMITS.maxCompressionRatio * 0.9) body = gzipNow(raw, 0);
    if (body.length > INGEST_LIMITS.maxCompressedBytes) {
      warnOnce('event too large', 'a part of the page was too large to record and was left out.');
      this.sender.discard(b, new Error('Loupe: a part of the recording was too large to send.'));
      return;
    }
    b.body = body;
    b.size = body.length;
    b.key = this.outbox.put({ createdAt: Date.now(), sessionId: b.sessionId, windowId: b.windowId, seq: b.seq }, b.url, body);
  }

  private settled(b: Batch, how: Settled, status?: number): void {
    // An evicted batch left memory only; its outbox copy waits for the next page.
    if (how === 'evicted') return;
    if (b.key) this.outbox.remove(b.key);
    if (how === 'drop' && status) warnOnce('refused', `the Loupe server refused recorded data (HTTP ${status}); check the key and endpoint given to Loupe.init().`);
  }

  /**
   * Takes over stored batches that no live page is sending: this tab's own at page load (a reload
   * or a crash), any tab's once its heartbeat has stopped (a closed tab).
   */
  private adopt(atStart: boolean): void {
    const now = Date.now();
    for (const e of this.outbox.list()) {
      if (this.sender.has(e.key)) continue;
      if (now - e.createdAt > OUTBOX_MAX_AGE_MS) {
        this.outbox.remove(e.key);
        continue;
      }
      if (e.windowId === this.windowId ? !atStart : this.outbox.isAlive(e.windowId, now, HEARTBEAT_STALE_MS)) continue;
      const data = this.outbox.read(e);
      if (!data) {
        this.outbox.remove(e.key);
        continue;
      }
      this.sender.enqueue(newBatch({ sessionId: e.sessionId, windowId: e.windowId, seq: e.seq, url: data.url, body: data.body, size: data.body.length, key: e.key }));
    }
  }

  /** The page is hidden, maybe for good: whatever is recorded leaves now, or waits in the outbox. */
  private hide(closing: boolean): void {
    this.scrollDepth.report();
    this.cut(true);
    for (const b of this.sender.queue) {
      const raw = this.raw.get(b);
      if (raw && !b.body) this.compressed(b, gzipNow(raw));
    }
    this.session.save(Date.now());
    this.sender.expedite();
    this.sender.pump();
    if (closing) {
      this.outbox.stopBeating(this.windowId);
      markWindowOpen(this.tab, false);
    }
  }

  /** Back from the back-forward cache: the same page, recording on. */
  private reopen(): void {
    markWindowOpen(this.tab, true);
    this.outbox.beat(this.windowId, Date.now());
  }
}
