import type { Project } from '@loupe/contracts';
import type { eventWithTime } from 'rrweb';
import 'rrweb/dist/style.css';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { apiRequest, ApiRequestError, messageOf } from '../api';
import { LoadingScreen } from '../auth';
import { capitalize, formatClock, formatDateTime, formatDuration, plural } from '../format';
import { FrustrationCell } from '../frustration';
import { PageHeading, useDocumentTitle } from '../page';
import { PlayerEngine, type ChunkRef, type ConsoleEntry, type PlayerView } from '../player/engine';
import { FeedbackPanel, useSessionFeedback } from '../player/feedback-panel';
import { sessionDetailPath, takePrefetched } from '../player/prefetch';
import {
  defaultWindow,
  lastAtOrBefore,
  LEAD_IN_MS,
  MARKER_KINDS,
  nextFrustration,
  sessionEnd,
  sessionStart,
  timelineEvents,
  urlAt,
  windowsOf,
  type SessionDetail,
  type TimelineEvent,
} from '../player/session-events';
import { useProject } from '../projects';

const SPEEDS = [0.5, 1, 2, 4, 8] as const;
const STEP_MS = 5000;
/** While the worker still processes a session, its events and chunks are looked at again this often. */
const REFRESH_MS = 5000;

type DetailState = { status: 'loading' } | { status: 'failed'; message: string; notFound: boolean } | { status: 'ready'; detail: SessionDetail };

/** What a browser test reads: when the first frame was drawn, and a way to time seeks. */
export interface PlayerProbe {
  /** `performance.now()` when the player page opened and when its first frame was on screen. */
  openedAt: number;
  readonly firstFrameAt: number | null;
  state(): { status: PlayerView['status']; time: number; duration: number; loadedChunks: number; totalChunks: number; speed: number; skipInactive: boolean };
  /** Resolves with the milliseconds it took until the frame at `ms` was drawn. */
  seek(ms: number): Promise<number>;
  currentTime(): number;
}

declare global {
  interface Window {
    __loupePlayer?: PlayerProbe;
  }
}

export default function PlayerPage() {
  const project = useProject();
  const { sessionId = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const [openedAt] = useState(() => performance.now());
  const [state, setState] = useState<DetailState>({ status: 'loading' });
  useDocumentTitle('Session replay', project.name);

  const listSearch = (location.state as { listSearch?: string } | null)?.listSearch ?? '';
  const back = `/p/${project.id}/sessions${listSearch}`;
  const detailPath = sessionDetailPath(project.id, sessionId);
  const processed = state.status === 'ready' && state.detail.session.processed;

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    takePrefetched<SessionDetail>(detailPath, controller.signal)
      .then((detail) => !controller.signal.aborted && setState({ status: 'ready', detail }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', message: messageOf(err), notFound: err instanceof ApiRequestError && err.status === 404 });
      });
    return () => controller.abort();
  }, [detailPath]);

  useEffect(() => {
    if (state.status !== 'ready' || processed) return;
    const timer = setInterval(() => {
      apiRequest<SessionDetail>(detailPath)
        .then((detail) => setState((s) => (s.status === 'ready' ? { status: 'ready', detail } : s)))
        .catch(() => undefined); // What is on screen stays right; the next refresh tries again.
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [state.status, processed, detailPath]);

  const startAt = Number(params.get('t'));
  return (
    <div className="player-page">
      <p className="back-link">
        <Link to={back}>← All sessions</Link>
      </p>
      <PageHeading>Session replay</PageHeading>
      {state.status === 'loading' && <LoadingScreen label="Loading the session…" />}
      {state.status === 'failed' && (
        <div className="alert" role="alert">
          {state.notFound ? 'This session does not exist in this project. It may have been deleted, or the link is incomplete.' : state.message}
        </div>
      )}
      {state.status === 'ready' && (
        <>
          <SessionHeader detail={state.detail} project={project} />
          <SessionPlayer key={state.detail.session.id} project={project} detail={state.detail} startAt={Number.isFinite(startAt) && startAt > 0 ? startAt : 0} openedAt={openedAt} />
        </>
      )}
    </div>
  );
}

// --- Header -------------------------------------------------------------------------------------

const SessionHeader = memo(function SessionHeader({ detail: { session: s }, project }: { detail: SessionDetail; project: Project }) {
  const exportHref = `/api/v1/sessions/${encodeURIComponent(s.id)}/export?project=${project.id}`;
  return (
    <section className="session-header" aria-label="About this session">
      <dl className="session-facts">
        <div>
          <dt>Started</dt>
          <dd>
            <time dateTime={s.startedAt}>{formatDateTime(s.startedAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>
            {formatDuration(s.durationMs)} <span className="muted">({formatDuration(s.activeMs)} active)</span>
          </dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd>{[s.device && capitalize(s.device), s.browser, s.os].filter(Boolean).join(' · ') || 'Unknown'}</dd>
        </div>
        <div>
          <dt>Viewport</dt>
          <dd>{s.viewport ? `${s.viewport.width} × ${s.viewport.height}` : 'Unknown'}</dd>
        </div>
        <div>
          <dt>{s.userId ? 'User' : 'Visitor'}</dt>
          <dd className="session-who" title={s.userId ? `Visitor ${s.visitorId}` : undefined}>
            {s.userId ?? s.visitorId}
          </dd>
        </div>
        <div>
          <dt>Frustration</dt>
          <dd className="session-frustration">
            <FrustrationCell session={s} />
          </dd>
        </div>
        <div>
          <dt>Activity</dt>
          <dd>
            {plural(s.pageCount, 'page')} · {plural(s.clickCount, 'click')} ·{' '}
            {s.errorCount > 0 ? <span className="badge badge-danger">{plural(s.errorCount, 'error')}</span> : '0 errors'}
          </dd>
        </div>
      </dl>
      <div className="session-actions">
        {!s.processed && <span className="badge badge-muted">Still processing: totals and events may grow</span>}
        <a className="button button-small" href={exportHref} download>
          Export
        </a>
      </div>
    </section>
  );
});

// --- Player -------------------------------------------------------------------------------------

const IDLE_VIEW: PlayerView = {
  status: 'loading',
  playing: false,
  speed: 1,
  skipInactive: true,
  frame: null,
  loadedChunks: 0,
  totalChunks: 0,
  loaded: [],
  console: [],
  error: null,
  firstFrameAt: null,
};
const noSubscription = () => () => undefined;
const idleView = () => IDLE_VIEW;

function SessionPlayer({ project, detail, startAt, openedAt }: { project: Project; detail: SessionDetail; startAt: number; openedAt: number }) {
  const { session } = detail;
  const start = useMemo(() => sessionStart(detail), [detail]);
  const duration = Math.max(0, sessionEnd(detail) - start);
  const windows = useMemo(() => windowsOf(detail.chunks), [detail.chunks]);
  const [windowId, setWindowId] = useState(() => defaultWindow(detail.chunks));
  const stageRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const [engine, setEngine] = useState<PlayerEngine | null>(null);
  const resumeAt = useRef(startAt);
  const view = useSyncExternalStore(engine?.subscribe ?? noSubscription, engine?.getView ?? idleView);
  const time = usePlayerTime(engine);

  const chunksOf = useCallback(
    (id: string): ChunkRef[] =>
      detail.chunks
        .filter((c) => c.windowId === id)
        .map((c) => ({ windowId: c.windowId, seq: c.seq, first: Date.parse(c.firstTs), last: Date.parse(c.lastTs), fullSnapshots: c.fullSnapshots })),
    [detail.chunks],
  );

  useEffect(() => {
    const root = frameRef.current;
    if (!root) return;
    const base = `/api/v1/sessions/${encodeURIComponent(session.id)}/chunks/${encodeURIComponent(windowId)}`;
    const e = new PlayerEngine(root, {
      start,
      duration,
      chunks: chunksOf(windowId),
      viewport: session.viewport,
      fetchChunk: async (c, signal) => {
        const body = await apiRequest<{ events?: eventWithTime[] }>(`${base}/${c.seq}?project=${project.id}`, { signal });
        return Array.isArray(body?.events) ? body.events : [];
      },
    });
    setEngine(e);
    void e.start(resumeAt.current, true);
    window.__loupePlayer = {
      openedAt,
      get firstFrameAt() {
        return e.getView().firstFrameAt;
      },
      state: () => {
        const v = e.getView();
        return { status: v.status, time: e.currentTime(), duration: e.totalTime, loadedChunks: v.loadedChunks, totalChunks: v.totalChunks, speed: v.speed, skipInactive: v.skipInactive };
      },
      seek: async (ms: number) => {
        const t0 = performance.now();
        await e.seek(ms);
        return performance.now() - t0;
      },
      currentTime: () => e.currentTime(),
    };
    return () => {
      resumeAt.current = e.currentTime();
      e.destroy();
      setEngine(null);
      delete window.__loupePlayer;
    };
    // One engine per session and tab; new chunks of a live session are handed over below.
  }, [session.id, windowId]);

  useEffect(() => {
    engine?.addChunks(chunksOf(windowId), duration);
  }, [engine, chunksOf, windowId, duration]);

  const seek = useCallback((ms: number) => void engine?.seek(ms), [engine]);
  const toggle = useCallback(() => engine?.toggle(), [engine]);
  useShortcuts(engine);

  const events = useMemo(() => timelineEvents(detail.events, start, detail.signals), [detail.events, detail.signals, start]);
  const feedback = useSessionFeedback(project.id, session.id, start);
  const markers = useMemo(() => [...events.filter((e) => MARKER_KINDS.has(e.kind)), ...feedback.markers], [events, feedback.markers]);
  const pageviews = useMemo(() => events.filter((e) => e.kind === 'pageview'), [events]);
  const current = lastAtOrBefore(events, time);
  const url = urlAt(pageviews, time, session.entryUrl);
  const next = nextFrustration(events, time);
  const jumpToNext = useCallback(() => {
    if (next) seek(Math.max(0, next.offset - LEAD_IN_MS));
  }, [next, seek]);
  useFrustrationShortcut(jumpToNext);

  return (
    <div className="player">
      <div className="player-main">
        <div className="url-bar">
          <span className="url-bar-label">Page</span>
          <span className="url-bar-url" data-testid="player-url" title={url}>
            {url || 'Unknown page'}
          </span>
          {windows.length > 1 && (
            <label className="window-switch">
              <span>Tab</span>
              <select value={windowId} onChange={(e) => setWindowId(e.target.value)}>
                {windows.map((w, i) => (
                  <option key={w} value={w}>
                    {`${i + 1} of ${windows.length}`}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <Stage stageRef={stageRef} frameRef={frameRef} view={view} fallback={session.viewport} onToggle={toggle} />
        <Timeline time={time} duration={duration} markers={markers} loaded={view.loaded} onSeek={seek} />
        <div className="player-controls">
          <button type="button" className="button button-small play-button" onClick={toggle} disabled={view.status === 'failed'}>
            {view.playing ? 'Pause' : view.status === 'ended' ? 'Replay' : 'Play'}
          </button>
          <span className="player-time">
            <span data-testid="player-time">{formatClock(time)}</span> / {formatClock(duration)}
          </span>
          <div className="speed-group" role="group" aria-label="Playback speed">
            {SPEEDS.map((s) => (
              <button key={s} type="button" className="speed-button" aria-pressed={view.speed === s} onClick={() => engine?.setSpeed(s)}>
                {s}×
              </button>
            ))}
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={view.skipInactive} onChange={(e) => engine?.setSkipInactive(e.target.checked)} />
            Skip inactivity
          </label>
          <button
            type="button"
            className="button button-small next-frustration"
            onClick={jumpToNext}
            disabled={!next}
            title={next ? `${next.label} at ${formatClock(next.offset)}: ${next.text}` : 'No frustration after this point'}
          >
            Next frustration
          </button>
          <span className="player-shortcuts muted small">Space: play or pause · ← →: 5 s · N: next frustration</span>
        </div>
      </div>
      <SidePanel events={events} current={current} console={view.console} onJump={seek} start={start} loading={view.loadedChunks < view.totalChunks} />
      <FeedbackPanel items={feedback.items} start={start} projectId={project.id} onJump={seek} />
    </div>
  );
}

/** The session time on screen, refreshed each frame but re-rendering only when it moved. */
function usePlayerTime(engine: PlayerEngine | null): number {
  const [time, setTime] = useState(0);
  useEffect(() => {
    if (!engine) return;
    let raf = 0;
    let last = -1;
    const tick = () => {
      const t = engine.currentTime();
      if (Math.abs(t - last) >= 40 || (t !== last && t === 0)) {
        last = t;
        setTime(t);
      }
      raf = requestAnimationFrame(tick);
    };
    tick();
    return () => cancelAnimationFrame(raf);
  }, [engine]);
  return time;
}

/** N jumps to the next moment of frustration, under the same rules as the other shortcuts. */
function useFrustrationShortcut(jump: () => void): void {
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.key.toLowerCase() !== 'n') return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      if (target && isTextEntry(target)) return;
      e.preventDefault();
      jump();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [jump]);
}

/**
 * Space plays or pauses and the arrows step 5 s, from anywhere on the page except where keys mean
 * something else: text fields and selects keep their typing, and a focused button or checkbox
 * keeps Space for itself (as everywhere else on the web).
 */
function useShortcuts(engine: PlayerEngine | null): void {
  useEffect(() => {
    if (!engine) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      if (target && isTextEntry(target)) return;
      if (e.key === ' ' || e.key === 'Spacebar') {
        if (target && activatesOnSpace(target)) return;
        e.preventDefault();
        engine.toggle();
      } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        if (target?.closest('[role="tablist"]')) return;
        e.preventDefault();
        void engine.seek(engine.currentTime() + (e.key === 'ArrowLeft' ? -STEP_MS : STEP_MS));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [engine]);
}

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

function isTextEntry(el: HTMLElement): boolean {
  if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  return el instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(el.type);
}

function activatesOnSpace(el: HTMLElement): boolean {
  return el.closest('button, a[href], summary, input, [role="button"], [role="tab"], [role="checkbox"], [role="option"]') !== null;
}

// --- Stage --------------------------------------------------------------------------------------

function Stage({
  stageRef,
  frameRef,
  view,
  fallback,
  onToggle,
}: {
  stageRef: RefObject<HTMLDivElement | null>;
  frameRef: RefObject<HTMLDivElement | null>;
  view: PlayerView;
  fallback: { width: number; height: number } | null;
  onToggle(): void;
}) {
  const [box, setBox] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const measure = () => setBox({ width: stage.clientWidth, height: stage.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(stage);
    return () => observer.disconnect();
  }, [stageRef]);

  const frame = view.frame ?? fallback;
  // The recorded page keeps its own size and is scaled down to fit, never up (that only blurs it).
  const scale = frame && box.width > 0 ? Math.min(box.width / frame.width, box.height / frame.height, 1) : 1;
  const style = frame
    ? {
        width: frame.width,
        height: frame.height,
        transform: `scale(${scale})`,
        left: Math.max(0, (box.width - frame.width * scale) / 2),
        top: Math.max(0, (box.height - frame.height * scale) / 2),
      }
    : undefined;

  const overlay =
    view.status === 'failed'
      ? view.error
      : view.status === 'loading'
        ? 'Loading the recording…'
        : view.status === 'buffering'
          ? 'Loading the next part…'
          : null;

  return (
    <div className="player-stage" ref={stageRef} onClick={onToggle} data-status={view.status}>
      <div className="player-frame" ref={frameRef} style={style} />
      {overlay && (
        <div className={view.status === 'failed' ? 'stage-overlay stage-overlay-error' : 'stage-overlay'} role={view.status === 'failed' ? 'alert' : 'status'}>
          {overlay}
        </div>
      )}
    </div>
  );
}

// --- Timeline -----------------------------------------------------------------------------------

function Timeline({
  time,
  duration,
  markers,
  loaded,
  onSeek,
}: {
  time: number;
  duration: number;
  markers: TimelineEvent[];
  loaded: Array<[number, number]>;
  onSeek(ms: number): void;
}) {
  const trackRef = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const lastSeek = useRef(0);
  const shown = drag ?? time;
  const pct = (ms: number) => `${duration > 0 ? Math.min(100, Math.max(0, (ms / duration) * 100)) : 0}%`;

  const timeAt = (clientX: number) => {
    const box = trackRef.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.round(Math.min(1, Math.max(0, (clientX - box.left) / box.width)) * duration);
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const t = timeAt(e.clientX);
    setDrag(t);
    lastSeek.current = performance.now();
    onSeek(t);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag === null) return;
    const t = timeAt(e.clientX);
    setDrag(t);
    // Following the pointer with a few seeks a second shows the page under it without queueing up work.
    if (performance.now() - lastSeek.current > 150) {
      lastSeek.current = performance.now();
      onSeek(t);
    }
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (drag === null) return;
    onSeek(timeAt(e.clientX));
    setDrag(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      onSeek(e.key === 'Home' ? 0 : duration);
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      onSeek(time + (e.key === 'PageUp' ? 1 : -1) * 30_000);
    }
  };

  return (
    <div className="timeline">
      <div
        ref={trackRef}
        className="timeline-track"
        role="slider"
        tabIndex={0}
        aria-label="Position in the recording"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration / 1000)}
        aria-valuenow={Math.round(shown / 1000)}
        aria-valuetext={`${formatClock(shown)} of ${formatClock(duration)}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(null)}
        onKeyDown={onKeyDown}
      >
        <div className="timeline-rail">
          {loaded.map(([a, b]) => (
            <span key={a} className="timeline-loaded" style={{ left: pct(a), width: `calc(${pct(b)} - ${pct(a)})` }} />
          ))}
          <span className="timeline-progress" style={{ width: pct(shown) }} />
        </div>
        <Markers markers={markers} duration={duration} />
        <span className="timeline-thumb" style={{ left: pct(shown) }} />
      </div>
    </div>
  );
}

const Markers = memo(function Markers({ markers, duration }: { markers: TimelineEvent[]; duration: number }) {
  return (
    <div className="timeline-markers" aria-hidden="true">
      {markers.map((m, i) => (
        <span
          key={i}
          className={m.frustration ? `marker marker-frustration marker-${m.kind}` : `marker marker-${m.kind}`}
          data-kind={m.kind}
          style={{ left: `${duration > 0 ? (m.offset / duration) * 100 : 0}%` }}
          title={`${m.label} at ${formatClock(m.offset)}: ${m.text}`}
        />
      ))}
    </div>
  );
});

// --- Events and console -------------------------------------------------------------------------

function SidePanel({
  events,
  current,
  console: entries,
  onJump,
  start,
  loading,
}: {
  events: TimelineEvent[];
  current: number;
  console: ConsoleEntry[];
  onJump(ms: number): void;
  start: number;
  loading: boolean;
}) {
  const [tab, setTab] = useState<'events' | 'console'>('events');
  const errors = entries.filter((e) => e.level === 'error').length;
  return (
    <aside className="player-side" aria-label="Events and console">
      <div className="tabs" role="tablist" aria-label="Session details">
        <button type="button" role="tab" id="tab-events" aria-controls="panel-events" aria-selected={tab === 'events'} onClick={() => setTab('events')}>
          Events <span className="count">{events.length}</span>
        </button>
        <button type="button" role="tab" id="tab-console" aria-controls="panel-console" aria-selected={tab === 'console'} onClick={() => setTab('console')}>
          Console <span className={errors > 0 ? 'count count-danger' : 'count'}>{entries.length}</span>
        </button>
      </div>
      <div role="tabpanel" id="panel-events" aria-labelledby="tab-events" hidden={tab !== 'events'} className="side-panel">
        <EventList events={events} current={current} onJump={onJump} />
      </div>
      <div role="tabpanel" id="panel-console" aria-labelledby="tab-console" hidden={tab !== 'console'} className="side-panel">
        <ConsolePane entries={entries} start={start} onJump={onJump} loading={loading} />
      </div>
    </aside>
  );
}

const EventList = memo(function EventList({ events, current, onJump }: { events: TimelineEvent[]; current: number; onJump(ms: number): void }) {
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // Keeps the current event in view inside the list, without scrolling the page itself.
    const list = listRef.current;
    const item = list?.querySelector<HTMLElement>('[aria-current="true"]');
    if (!list || !item) return;
    const top = item.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top - list.clientHeight / 3;
  }, [current]);

  if (events.length === 0) return <p className="muted small side-empty">No page views, clicks or errors were recorded in this session.</p>;
  return (
    <ol className="event-list" ref={listRef} aria-label="Events of the session">
      {events.map((e, i) => (
        <li key={i}>
          <button type="button" className={e.frustration ? `event-item kind-frustration kind-${e.kind}` : `event-item kind-${e.kind}`} aria-current={i === current ? 'true' : undefined} onClick={() => onJump(e.offset)}>
            <span className="event-kind">{e.label}</span>
            <span className="event-text" title={e.text}>
              {e.text}
            </span>
            <span className="event-time">{formatClock(e.offset)}</span>
          </button>
        </li>
      ))}
    </ol>
  );
});

const ConsolePane = memo(function ConsolePane({ entries, start, onJump, loading }: { entries: ConsoleEntry[]; start: number; onJump(ms: number): void; loading: boolean }) {
  return (
    <div className="console-pane">
      {entries.length === 0 && !loading && <p className="muted small side-empty">No console errors or warnings in this session.</p>}
      {entries.length > 0 && (
        <ol className="console-list" aria-label="Console errors and warnings">
          {entries.map((c, i) => (
            <li key={i}>
              <button type="button" className={`console-item level-${c.level}`} onClick={() => onJump(c.ts - start)}>
                <span className="console-level">{c.source === 'exception' ? 'Uncaught' : c.level === 'warn' ? 'Warning' : 'Error'}</span>
                <span className="console-message">{c.message}</span>
                <span className="event-time">{formatClock(c.ts - start)}</span>
                {c.trace && <span className="console-trace">{whereFrom(c)}</span>}
              </button>
            </li>
          ))}
        </ol>
      )}
      {loading && <p className="muted small side-empty">More messages appear as the rest of the recording loads.</p>}
    </div>
  );
});

/** The first line of a stack that says where, not the message again (a JavaScript stack starts with it). */
function whereFrom(entry: ConsoleEntry): string {
  const lines = (entry.trace ?? '').split('\n').map((l) => l.trim());
  return lines.find((l) => l && l !== entry.message && !entry.message.startsWith(l)) ?? lines[0] ?? '';
}
