import type { ChunkView, SessionSummary, SignalView, TypedEventView } from '@loupe/contracts';
import { SIGNAL_KINDS, SIGNAL_LABELS, type SignalKind } from '@loupe/contracts/signal-kinds';
import { displayUrl, formatDuration } from '../format';

export interface SessionDetail {
  session: SessionSummary;
  events: TypedEventView[];
  /** Absent from answers of servers older than frustration signals. */
  signals?: SignalView[];
  chunks: ChunkView[];
}

/** A typed event placed on the session's timeline. */
export interface TimelineEvent {
  /** Milliseconds from the session start. */
  offset: number;
  kind: string;
  label: string;
  text: string;
  url: string | null;
  /** A moment of frustration (a signal), drawn apart on the timeline and reachable with "next frustration". */
  frustration?: boolean;
}

const LABELS: Record<string, string> = {
  pageview: 'Page',
  click: 'Click',
  input: 'Input',
  error: 'Error',
  custom: 'Event',
  identify: 'Identify',
  exposure: 'Experiment',
};

/** The kinds drawn on the timeline; inputs are too many to mark and are in the event list. */
export const MARKER_KINDS = new Set<string>(['pageview', 'click', 'error', 'custom', ...SIGNAL_KINDS]);

const isSignalKind = (kind: string): kind is SignalKind => (SIGNAL_KINDS as readonly string[]).includes(kind);

/** Time 0 of the timeline: the earliest of the session's start and its first chunk. */
export function sessionStart(detail: SessionDetail): number {
  const times = [Date.parse(detail.session.startedAt), ...detail.chunks.map((c) => Date.parse(c.firstTs))].filter(Number.isFinite);
  return times.length ? Math.min(...times) : 0;
}

export function sessionEnd(detail: SessionDetail): number {
  const times = [Date.parse(detail.session.lastEventAt), ...detail.chunks.map((c) => Date.parse(c.lastTs))].filter(Number.isFinite);
  return times.length ? Math.max(...times) : 0;
}

export function timelineEvents(events: TypedEventView[], start: number, signals: SignalView[] = []): TimelineEvent[] {
  const typed: TimelineEvent[] = events.map((e) => ({ offset: Math.max(0, Date.parse(e.ts) - start), kind: e.kind, label: LABELS[e.kind] ?? e.kind, text: describe(e), url: e.url }));
  const frustrations: TimelineEvent[] = signals
    .filter((s) => isSignalKind(s.kind))
    .map((s) => ({ offset: Math.max(0, Date.parse(s.ts) - start), kind: s.kind, label: SIGNAL_LABELS[s.kind], text: describeSignal(s), url: s.url, frustration: true }));
  // A signal sorts before the click it is about, so the list reads "Rage click" then its clicks.
  return [...frustrations, ...typed].sort((a, b) => a.offset - b.offset);
}

/** What happened, in a few words a product person reads at a glance. */
export function describeSignal(s: SignalView): string {
  const d = s.details;
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const target = s.text ? `“${s.text}”` : (s.selector ?? 'an element');
  switch (s.kind) {
    case 'rage_click':
      return `${num('clicks') ?? 'Several'} clicks on ${target} in ${formatDuration(num('durationMs') ?? 0)}`;
    case 'dead_click':
      return `Nothing happened after a click on ${target}`;
    case 'error_click': {
      const message = typeof d['message'] === 'string' ? d['message'] : 'an error';
      return `${message} right after a click on ${target}`;
    }
    case 'u_turn':
      return `Left ${displayUrl(s.url) || 'a page'} after ${formatDuration(num('dwellMs') ?? 0)}, back to ${displayUrl(typeof d['fromUrl'] === 'string' ? d['fromUrl'] : '') || 'the page before'}`;
    case 'excessive_scroll':
      return `Scrolled up and down ${num('reversals') ?? 'many'} times in ${formatDuration(num('durationMs') ?? 0)}`;
    case 'thrashed_cursor':
      return `Shook the pointer ${num('reversals') ?? 'many'} times in ${formatDuration(num('durationMs') ?? 0)}`;
  }
}

/** The first moment of frustration after `time` (a little slack, so pressing twice moves on), or null. */
export function nextFrustration(events: ReadonlyArray<TimelineEvent>, time: number): TimelineEvent | null {
  return events.find((e) => e.frustration && e.offset > time + LEAD_IN_MS + 250) ?? null;
}

/** Jumping to a frustration starts this long before it, to see what led to it. */
export const LEAD_IN_MS = 2000;

function describe(e: TypedEventView): string {
  switch (e.kind) {
    case 'pageview':
      return displayUrl(e.url) || 'A page';
    case 'click':
      if (e.text) return `“${e.text}”`;
      if (e.selector) return e.selector;
      // Plain rrweb recordings say where, not what.
      return e.x !== null && e.y !== null ? `At ${Math.round(e.x)}, ${Math.round(e.y)}` : 'An element';
    case 'input':
      return e.selector ? `Typed in ${e.selector}` : 'Typed in a field';
    case 'error':
      return e.text || e.name || 'An error';
    case 'identify':
      return e.name ? `Identified as ${e.name}` : 'Identified';
    case 'exposure': {
      const variant = e.props?.['variant'];
      return `${e.name ?? 'Experiment'}${typeof variant === 'string' ? `: ${variant}` : ''}`;
    }
    default:
      return e.name ?? e.kind;
  }
}

/** Index of the last event at or before `time` (binary search), -1 before the first. */
export function lastAtOrBefore(items: ReadonlyArray<{ offset: number }>, time: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid]?.offset ?? Infinity) <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The page on screen at `time`: the last page view before it, else the first one, else the entry URL. */
export function urlAt(pageviews: TimelineEvent[], time: number, entryUrl: string | null): string {
  const i = lastAtOrBefore(pageviews, time);
  return (i >= 0 ? pageviews[i]?.url : pageviews[0]?.url) ?? entryUrl ?? '';
}

/** The tabs of the visit, the one that started first first. */
export function windowsOf(chunks: ChunkView[]): string[] {
  const seen: string[] = [];
  for (const c of chunks) if (!seen.includes(c.windowId)) seen.push(c.windowId);
  return seen;
}

/** The tab shown first: the one holding the earliest full snapshot, since that is where there is something to draw. */
export function defaultWindow(chunks: ChunkView[]): string {
  let best: { windowId: string; ts: number } | undefined;
  for (const c of chunks) {
    for (const ts of c.fullSnapshots) if (!best || ts < best.ts) best = { windowId: c.windowId, ts };
  }
  return best?.windowId ?? chunks[0]?.windowId ?? 'main';
}
