import { LOUPE_TAGS, RRWEB } from '@loupe/contracts/recording';
import { Replayer, type eventWithTime } from 'rrweb';

/** One stored batch of the window being played, as the detail endpoint lists it (times in epoch ms). */
export interface ChunkRef {
  windowId: string;
  seq: number;
  first: number;
  last: number;
  /** Times of the full snapshots it holds; filled in from the events once the chunk is loaded. */
  fullSnapshots: number[];
}

export type PlayerStatus = 'loading' | 'playing' | 'paused' | 'buffering' | 'ended' | 'failed';

export interface ConsoleEntry {
  /** Epoch ms. */
  ts: number;
  level: 'error' | 'warn';
  /** `console` for the page's console calls, `exception` for errors the SDK caught. */
  source: 'console' | 'exception';
  message: string;
  trace?: string;
}

/** What the page renders; replaced (never mutated) on every change, for `useSyncExternalStore`. */
export interface PlayerView {
  status: PlayerStatus;
  /** Whether the viewer asked to play: true while loading or buffering towards playing. */
  playing: boolean;
  speed: number;
  skipInactive: boolean;
  /** The recorded viewport of the frame on screen. */
  frame: { width: number; height: number } | null;
  loadedChunks: number;
  totalChunks: number;
  /** Loaded stretches of the timeline, in ms from the session start, merged. */
  loaded: Array<[number, number]>;
  console: ConsoleEntry[];
  error: string | null;
  /** `performance.now()` when the first frame was on screen. */
  firstFrameAt: number | null;
}

export interface EngineOptions {
  /** Epoch ms of the session's start: time 0 of the timeline. */
  start: number;
  /** Length of the session in ms. */
  duration: number;
  chunks: ChunkRef[];
  fetchChunk(chunk: ChunkRef, signal: AbortSignal): Promise<eventWithTime[]>;
  /** Used for the frame size when a snapshot is reached without rrweb's Meta event before it. */
  viewport: { width: number; height: number } | null;
  speed?: number;
  skipInactive?: boolean;
}

/**
 * A Replayer and the chunks it holds. Its events run without a gap from a full snapshot through
 * chunk `through`; later chunks are appended as they arrive.
 */
interface Segment {
  replayer: Replayer;
  /** Time of the full snapshot it starts from. */
  anchorTs: number;
  through: number;
  /** Epoch ms of the Replayer's first event: its time 0. */
  base: number;
}

interface Anchor {
  chunk: number;
  ts: number;
}

/** Chunks fetched at once: enough to keep the connection busy, few enough that the one needed next is not queued behind many. */
const CONCURRENCY = 3;
const MAX_ATTEMPTS = 3;
const CONSOLE_PLUGIN = 'rrweb/console@1';
const DEFAULT_VIEWPORT = { width: 1280, height: 800 };
/** rrweb stops a few milliseconds around the last event; that close to the end counts as the end. */
const END_TOLERANCE_MS = 500;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Plays one window of a session while its chunks load.
 *
 * Time base: rrweb's timeline starts at the first event it was given, and inserting an earlier
 * event later would move that origin. So a Replayer is only ever given events from one full
 * snapshot onwards and only ever extended forwards, and the engine translates: session time =
 * Replayer time + (its first event - session start). A seek the current Replayer can reach by
 * playing forward through loaded chunks reuses it (rrweb itself restarts from the last Meta +
 * snapshot before the target); any other seek builds a new Replayer from the nearest full
 * snapshot at or before the target, so it needs only the chunks from that snapshot to the target,
 * fetched ahead of everything else, however long the recording.
 */
export class PlayerEngine {
  private readonly chunks: ChunkRef[];
  private readonly loadedEvents: Array<eventWithTime[] | undefined> = [];
  private readonly consoleByChunk: Array<ConsoleEntry[] | undefined> = [];
  private readonly inflight = new Set<number>();
  private readonly attempts = new Map<number, number>();
  private readonly retryAt = new Map<number, number>();
  /** Chunks the pending seek waits for, fetched before anything else. */
  private focus: number[] = [];
  /** Where background loading continues after the focus. */
  private resumeAt = 0;
  private active: Segment | null = null;
  private pending: { target: number; settled: () => void } | null = null;
  private wantPlay = false;
  private duration: number;
  private view: PlayerView;
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: EngineOptions,
  ) {
    this.chunks = options.chunks.map((c) => ({ ...c, fullSnapshots: [...c.fullSnapshots] }));
    this.duration = options.duration;
    this.view = {
      status: 'loading',
      playing: false,
      speed: options.speed ?? 1,
      skipInactive: options.skipInactive ?? true,
      frame: null,
      loadedChunks: 0,
      totalChunks: this.chunks.length,
      loaded: [],
      console: [],
      error: null,
      firstFrameAt: null,
    };
  }

  // --- What the page reads ----------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): PlayerView => this.view;

  get totalTime(): number {
    return this.duration;
  }

  /** Milliseconds from the session start to the moment on screen (or being sought). */
  currentTime(): number {
    if (this.pending) return this.pending.target;
    const a = this.active;
    if (!a) return 0;
    return clamp(a.replayer.getCurrentTime() + a.base - this.options.start, 0, this.duration);
  }

  // --- What the page does -----------------------------------------------------------------------

  /** Opens the session at `at` ms and plays from there when `autoplay`. */
  start(at: number, autoplay: boolean): Promise<void> {
    this.setWantPlay(autoplay);
    if (this.chunks.length === 0) {
      this.fail('This session has no recording to play yet. Its first events may still be on their way: reload in a few seconds.');
      return Promise.resolve();
    }
    return this.seek(at);
  }

  /** Resolves once the frame at `target` ms is drawn, or a later seek took over. */
  seek(target: number): Promise<void> {
    const previous = this.pending;
    return new Promise<void>((settled) => {
      this.pending = { target: clamp(Math.round(target), 0, this.duration), settled };
      previous?.settled();
      this.settle();
      this.publish();
    });
  }

  play(): void {
    if (this.view.status === 'failed') return;
    this.setWantPlay(true);
    const a = this.active;
    if (this.pending || !a) return;
    const now = this.currentTime();
    // At the end, play means play again; a live session that grew since goes on from where it was.
    if (now >= this.duration - END_TOLERANCE_MS) {
      void this.seek(0);
      return;
    }
    a.replayer.play(Math.max(0, now + this.options.start - a.base));
    this.setStatus('playing');
  }

  pause(): void {
    this.setWantPlay(false);
    const a = this.active;
    if (a && !this.pending) a.replayer.pause();
    if (this.view.status !== 'failed' && this.view.status !== 'loading') this.setStatus('paused');
    else this.publish();
  }

  toggle(): void {
    if (this.wantPlay && this.view.status !== 'ended') this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.active?.replayer.setConfig({ speed });
    this.update({ speed });
  }

  setSkipInactive(skipInactive: boolean): void {
    this.active?.replayer.setConfig({ skipInactive });
    this.update({ skipInactive });
  }

  /** Chunks that appeared since the page opened (a session still being recorded). */
  addChunks(chunks: ChunkRef[], duration: number): void {
    const known = new Map(this.chunks.map((c, i) => [`${c.windowId}/${c.seq}`, i]));
    for (const c of chunks) {
      const i = known.get(`${c.windowId}/${c.seq}`);
      if (i === undefined) this.chunks.push({ ...c, fullSnapshots: [...c.fullSnapshots] });
      else if (!this.loadedEvents[i]) this.chunks[i] = { ...c, fullSnapshots: [...c.fullSnapshots] };
    }
    this.duration = Math.max(this.duration, duration);
    this.update({ totalChunks: this.chunks.length });
    this.pump();
  }

  destroy(): void {
    this.abort.abort();
    clearTimeout(this.retryTimer);
    this.pending?.settled();
    this.pending = null;
    this.active?.replayer.destroy();
    this.active = null;
    this.listeners.clear();
  }

  // --- Seeking ----------------------------------------------------------------------------------

  private settle(): void {
    const p = this.pending;
    if (!p || this.abort.signal.aborted) return;
    let target = this.options.start + p.target;
    const last = this.chunkAt(target);
    const anchor = this.anchorFor(target);

    if (!anchor) {
      // No chunk is known to hold a snapshot (the server has not indexed them yet): read from the start.
      if (this.chunks.every((_, i) => this.loadedEvents[i])) {
        this.fail('This recording has no full snapshot of the page, so there is nothing to draw. It may have been cut short.');
        return;
      }
      this.setFocus(range(0, this.chunks.length - 1));
      return;
    }
    // Nothing can be drawn before the first snapshot.
    if (anchor.ts > target) target = anchor.ts;

    const a = this.active;
    if (a && (a.base <= target || a.anchorTs === anchor.ts) && a.through >= anchor.chunk - 1) {
      if (a.through >= last) return this.apply(a, target);
      this.setFocus(range(a.through + 1, last));
      return;
    }

    const first = this.snapshotMayFollowMeta(anchor) ? anchor.chunk - 1 : anchor.chunk;
    const needed = range(first, Math.max(last, anchor.chunk));
    if (needed.every((i) => this.loadedEvents[i])) {
      const segment = this.build(anchor);
      const old = this.active;
      this.active = segment;
      this.apply(segment, target);
      // After the new frame is drawn, in the same task: the old one is never seen blank.
      old?.replayer.destroy();
      return;
    }
    this.setFocus(needed);
  }

  private apply(segment: Segment, target: number): void {
    const offset = Math.max(0, target - segment.base);
    if (this.wantPlay) segment.replayer.play(offset);
    else segment.replayer.pause(offset);
    const p = this.pending;
    this.pending = null;
    this.focus = [];
    this.resumeAt = segment.through + 1;
    this.setStatus(this.wantPlay ? 'playing' : 'paused');
    if (p) requestAnimationFrame(() => p.settled());
    this.pump();
  }

  /** The last full snapshot at or before `t`, else the first one; undefined when none is known. */
  private anchorFor(t: number): Anchor | undefined {
    let best: Anchor | undefined;
    let earliest: Anchor | undefined;
    this.chunks.forEach((c, chunk) => {
      for (const ts of c.fullSnapshots) {
        if (!earliest || ts < earliest.ts) earliest = { chunk, ts };
        if (ts <= t && (!best || ts >= best.ts)) best = { chunk, ts };
      }
    });
    return best ?? earliest;
  }

  /** The chunk holding time `t`: the last one starting at or before it. */
  private chunkAt(t: number): number {
    let found = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c && c.first <= t) found = i;
      else break;
    }
    return found;
  }

  /**
   * Batching can put rrweb's Meta event (which sizes the frame) at the end of one chunk and the
   * snapshot at the start of the next; then the chunk before is read too.
   */
  private snapshotMayFollowMeta(anchor: Anchor): boolean {
    const chunk = this.chunks[anchor.chunk];
    return anchor.chunk > 0 && chunk !== undefined && chunk.first === anchor.ts;
  }

  private build(anchor: Anchor): Segment {
    const events: eventWithTime[] = [];
    const own = this.loadedEvents[anchor.chunk] ?? [];
    let at = own.findIndex((e) => e.type === RRWEB.FullSnapshot && e.timestamp >= anchor.ts);
    if (at < 0) at = 0;
    const before = at > 0 ? own[at - 1] : this.loadedEvents[anchor.chunk - 1]?.at(-1);
    if (before?.type === RRWEB.Meta) events.push(before);
    else events.push(this.syntheticMeta(anchor));
    for (let i = at; i < own.length; i++) events.push(own[i] as eventWithTime);
    let through = anchor.chunk;
    for (let next = this.loadedEvents[through + 1]; next; next = this.loadedEvents[through + 1]) {
      for (const e of next) events.push(e);
      through++;
    }

    const replayer = new Replayer(events, {
      root: this.root,
      speed: this.view.speed,
      skipInactive: this.view.skipInactive,
      // Recorded scripts never run: rrweb's sandbox (allow-same-origin only) stays as it is.
      UNSAFE_replayCanvas: false,
      mouseTail: { duration: 600, lineCap: 'round', lineWidth: 2, strokeStyle: 'rgba(59, 91, 219, 0.28)' },
      // A replayed focus would move the keyboard focus into the frame, away from the player's shortcuts.
      triggerFocus: false,
      // Recordings routinely reference nodes outside the snapshot (ignored, blocked); that is not news to the viewer.
      showWarning: false,
    });
    const segment: Segment = { replayer, anchorTs: anchor.ts, through, base: events[0]?.timestamp ?? anchor.ts };
    replayer.on('resize', (dimension) => {
      if (this.active !== segment || !isRecord(dimension)) return;
      const { width, height } = dimension;
      if (typeof width === 'number' && typeof height === 'number' && (width !== this.view.frame?.width || height !== this.view.frame?.height)) {
        this.update({ frame: { width, height } });
      }
    });
    replayer.on('fullsnapshot-rebuilded', () => {
      if (this.view.firstFrameAt !== null) return;
      requestAnimationFrame(() => {
        if (this.view.firstFrameAt === null) this.update({ firstFrameAt: performance.now() });
      });
    });
    replayer.on('finish', () => this.finished(segment));
    return segment;
  }

  private syntheticMeta(anchor: Anchor): eventWithTime {
    let size = this.options.viewport ?? DEFAULT_VIEWPORT;
    let href = '';
    for (let i = anchor.chunk; i >= 0; i--) {
      const meta = this.loadedEvents[i]?.findLast((e) => e.type === RRWEB.Meta && e.timestamp <= anchor.ts);
      if (meta && isRecord(meta.data)) {
        const { width, height } = meta.data;
        if (typeof width === 'number' && typeof height === 'number') size = { width, height };
        if (typeof meta.data['href'] === 'string') href = meta.data['href'];
        break;
      }
    }
    return { type: RRWEB.Meta, timestamp: anchor.ts, data: { href, ...size } } as eventWithTime;
  }

  /** rrweb stops at the last event it has; with more to load that is a wait, not the end. */
  private finished(segment: Segment): void {
    if (segment !== this.active || !this.wantPlay || this.pending) return;
    if (segment.through < this.chunks.length - 1) {
      this.setStatus('buffering');
      this.setFocus([segment.through + 1]);
    } else {
      this.setWantPlay(false);
      this.setStatus('ended');
    }
  }

  private extend(segment: Segment): void {
    let added = false;
    for (let next = this.loadedEvents[segment.through + 1]; next; next = this.loadedEvents[segment.through + 1]) {
      for (const e of next) segment.replayer.addEvent(e);
      segment.through++;
      added = true;
    }
    if (added && this.view.status === 'buffering' && this.wantPlay && !this.pending) {
      const at = segment.replayer.getCurrentTime();
      // addEvent hands events over in a microtask; play once they are all in.
      queueMicrotask(() => {
        if (this.active !== segment || !this.wantPlay || this.pending) return;
        segment.replayer.play(at);
        this.setStatus('playing');
      });
    }
  }

  // --- Loading ----------------------------------------------------------------------------------

  private setFocus(chunks: number[]): void {
    this.focus = chunks;
    const last = chunks[chunks.length - 1];
    if (last !== undefined) this.resumeAt = last + 1;
    this.pump();
  }

  private pump(): void {
    while (this.inflight.size < CONCURRENCY && !this.abort.signal.aborted) {
      const next = this.nextToLoad();
      if (next === undefined) break;
      this.load(next);
    }
  }

  /** The focus first, then onwards from it, then whatever is left from the start. */
  private nextToLoad(): number | undefined {
    const now = Date.now();
    const wanted = (i: number) => !this.loadedEvents[i] && !this.inflight.has(i) && (this.retryAt.get(i) ?? 0) <= now && (this.attempts.get(i) ?? 0) < MAX_ATTEMPTS;
    for (const i of this.focus) if (wanted(i)) return i;
    // While the viewer waits for a frame, nothing else competes with the chunks it needs (the
    // server answers them one after another when its database is the embedded one).
    if ((this.pending || this.view.status === 'buffering') && this.focus.some((i) => !this.loadedEvents[i])) return undefined;
    for (let i = this.resumeAt; i < this.chunks.length; i++) if (wanted(i)) return i;
    for (let i = 0; i < Math.min(this.resumeAt, this.chunks.length); i++) if (wanted(i)) return i;
    return undefined;
  }

  private load(i: number): void {
    const chunk = this.chunks[i];
    if (!chunk) return;
    this.inflight.add(i);
    this.options
      .fetchChunk(chunk, this.abort.signal)
      .then((events) => {
        this.inflight.delete(i);
        if (this.abort.signal.aborted) return;
        this.loaded(i, events);
      })
      .catch((err: unknown) => {
        this.inflight.delete(i);
        if (this.abort.signal.aborted) return;
        const attempts = (this.attempts.get(i) ?? 0) + 1;
        this.attempts.set(i, attempts);
        if (attempts >= MAX_ATTEMPTS) {
          // Only fatal when the moment on screen needs it; elsewhere the timeline just stays unloaded there.
          const blocking = this.pending !== null ? this.focus.includes(i) : this.view.status === 'buffering' && this.active?.through === i - 1;
          if (blocking || !this.active) this.fail(err instanceof Error ? err.message : 'Part of this recording could not be loaded. Reload the page to try again.');
        } else {
          this.retryAt.set(i, Date.now() + 400 * attempts);
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.pump(), 400 * attempts);
        }
      })
      .finally(() => this.pump());
  }

  private loaded(i: number, events: eventWithTime[]): void {
    const chunk = this.chunks[i];
    if (!chunk) return;
    this.loadedEvents[i] = events;
    // The events are the truth: the stored index may be missing while the server still processes the chunk.
    chunk.fullSnapshots = events.filter((e) => e.type === RRWEB.FullSnapshot).map((e) => e.timestamp);
    this.consoleByChunk[i] = consoleEntries(events);
    const a = this.active;
    if (a && i === a.through + 1) this.extend(a);
    // After the events handed to rrweb (one microtask each) are in, or a seek would not see them.
    queueMicrotask(() => this.settle());

    const loadedCount = this.loadedEvents.filter(Boolean).length;
    this.update({
      loadedChunks: loadedCount,
      loaded: this.loadedSpans(),
      console: this.consoleByChunk.flatMap((c) => c ?? []).sort((x, y) => x.ts - y.ts),
    });
  }

  private loadedSpans(): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    this.chunks.forEach((c, i) => {
      if (!this.loadedEvents[i]) return;
      // A chunk covers the time up to the next one, so that loaded neighbours join into one stretch.
      const end = this.chunks[i + 1]?.first ?? c.last;
      const span: [number, number] = [c.first - this.options.start, Math.max(c.last, end) - this.options.start];
      const prev = spans[spans.length - 1];
      if (prev && span[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], span[1]);
      else spans.push(span);
    });
    return spans;
  }

  // --- State ------------------------------------------------------------------------------------

  private fail(message: string): void {
    this.setWantPlay(false);
    this.pending?.settled();
    this.pending = null;
    this.update({ status: 'failed', error: message });
  }

  private setWantPlay(play: boolean): void {
    this.wantPlay = play;
    if (this.view.playing !== play) this.update({ playing: play });
  }

  private setStatus(status: PlayerStatus): void {
    if (this.view.status !== status) this.update({ status });
  }

  private update(change: Partial<PlayerView>): void {
    this.view = { ...this.view, ...change };
    this.publish();
  }

  private publish(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Console warnings and errors (rrweb's console plugin) and errors caught by the SDK. */
export function consoleEntries(events: readonly eventWithTime[]): ConsoleEntry[] {
  const out: ConsoleEntry[] = [];
  for (const e of events) {
    const data: unknown = e.data;
    if (!isRecord(data)) continue;
    if (e.type === RRWEB.Plugin && data['plugin'] === CONSOLE_PLUGIN && isRecord(data['payload'])) {
      const { level, payload, trace } = data['payload'];
      const lvl = level === 'warn' ? 'warn' : level === 'error' || level === 'assert' ? 'error' : null;
      if (!lvl) continue;
      const message = Array.isArray(payload) ? payload.map(consoleArg).join(' ') : '';
      out.push({ ts: e.timestamp, level: lvl, source: 'console', message, trace: Array.isArray(trace) ? trace.filter((t) => typeof t === 'string').join('\n') : undefined });
    } else if (e.type === RRWEB.Custom && data['tag'] === LOUPE_TAGS.error && isRecord(data['payload'])) {
      const { message, stack } = data['payload'];
      out.push({ ts: e.timestamp, level: 'error', source: 'exception', message: typeof message === 'string' ? message : 'Error', trace: typeof stack === 'string' ? stack : undefined });
    }
  }
  return out;
}

/** rrweb's console plugin sends each argument JSON-encoded: a string arrives in quotes. */
function consoleArg(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (value.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  return value;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, from); i <= to; i++) out.push(i);
  return out;
}

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), max);
