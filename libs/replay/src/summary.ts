import { RRWEB, type RecordedEvent } from '@loupe/contracts/recording';
import { activeMs, activityOf, mergeIntervals, type Activity, type Interval } from './activity';
import { isRecord } from './bounds';
import type { TypedEvent } from './typed-events';
import { observePage } from './urls';

export interface UrlAt {
  url: string;
  ts: number;
}

export interface ViewportAt {
  width: number;
  height: number;
  ts: number;
}

/**
 * What one chunk contributes to its session. Plain JSON, stored per chunk; the session summary is
 * recomputed from all of a session's facts, so chunks may be processed in any order or twice.
 */
export interface ChunkFacts {
  /**
   * The chunk's sequence number in its browser tab; facts with the same `windowId` and `seq`
   * describe the same chunk.
   */
  seq: number;
  /** The browser tab that recorded the chunk: tabs of one visit share a session and each count from 0. */
  windowId?: string;
  firstTs?: number;
  lastTs?: number;
  eventCount: number;
  activeIntervals: Interval[];
  /** First and last page the chunk itself names (Meta events and page views). */
  firstUrl?: UrlAt;
  lastUrl?: UrlAt;
  /** The first viewport the chunk names (Meta event or page view). */
  viewport?: ViewportAt;
  pageviews: number;
  clicks: number;
  errors: number;
  /** The last identify in the chunk. */
  userId?: { id: string; ts: number };
  /** Whether the chunk was read as recorded by Loupe's SDK. */
  loupe: boolean;
}

export interface SessionSummary {
  firstTs?: number;
  lastTs?: number;
  durationMs: number;
  activeMs: number;
  entryUrl?: string;
  exitUrl?: string;
  pageCount: number;
  clickCount: number;
  errorCount: number;
  viewport?: { width: number; height: number };
  userId?: string;
  eventCount: number;
  chunkCount: number;
  /** Distinct browser tabs among the chunks (chunks without a tab id count as one). */
  windowCount: number;
  loupe: boolean;
}

/** Which chunk of a session: its number in its tab, and the tab when the recorder names one. */
export interface ChunkId {
  seq: number;
  windowId?: string;
}

/** The facts of one chunk from its events and what `extractTypedEvents` made of them. */
export function chunkFacts(
  chunk: number | ChunkId,
  events: readonly RecordedEvent[],
  typed: readonly TypedEvent[],
  activity: Activity = activityOf(events),
  loupe = false,
): ChunkFacts {
  const id = typeof chunk === 'number' ? { seq: chunk } : chunk;
  const facts: ChunkFacts = {
    seq: id.seq,
    eventCount: activity.eventCount,
    activeIntervals: activity.activeIntervals.map(([start, end]): Interval => [start, end]),
    pageviews: 0,
    clicks: 0,
    errors: 0,
    loupe,
  };
  if (id.windowId !== undefined) facts.windowId = id.windowId;
  if (activity.firstTs !== undefined) facts.firstTs = activity.firstTs;
  if (activity.lastTs !== undefined) facts.lastTs = activity.lastTs;

  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!isRecord(event) || (event.type !== RRWEB.Meta && event.type !== RRWEB.Custom)) continue;
    const ts = event.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    const page = observePage(event);
    if (!page) continue;
    if (page.url !== undefined) {
      if (!facts.firstUrl || ts < facts.firstUrl.ts) facts.firstUrl = { url: page.url, ts };
      if (!facts.lastUrl || ts >= facts.lastUrl.ts) facts.lastUrl = { url: page.url, ts };
    }
    if (page.viewport && (!facts.viewport || ts < facts.viewport.ts)) facts.viewport = { ...page.viewport, ts };
  }

  for (const event of typed) {
    if (event.kind === 'pageview') facts.pageviews++;
    else if (event.kind === 'click') facts.clicks++;
    else if (event.kind === 'error') facts.errors++;
    else if (event.kind === 'identify' && event.name && (!facts.userId || event.ts >= facts.userId.ts)) {
      facts.userId = { id: event.name, ts: event.ts };
    }
  }
  return facts;
}

/**
 * The session's summary from the facts of its chunks, in any order and with repeats: the result
 * depends only on the set of distinct chunks.
 */
export function summarizeSession(chunks: readonly ChunkFacts[]): SessionSummary {
  const distinct = distinctChunks(chunks);
  const summary: SessionSummary = {
    durationMs: 0,
    activeMs: 0,
    pageCount: 0,
    clickCount: 0,
    errorCount: 0,
    eventCount: 0,
    chunkCount: distinct.length,
    windowCount: new Set(distinct.map((chunk) => chunk.windowId)).size,
    loupe: false,
  };
  const intervals: Interval[] = [];
  let entry: (UrlAt & { chunk: ChunkFacts }) | undefined;
  let exit: (UrlAt & { chunk: ChunkFacts }) | undefined;
  let viewport: (ViewportAt & { chunk: ChunkFacts }) | undefined;
  let user: { id: string; ts: number; chunk: ChunkFacts } | undefined;

  for (const chunk of distinct) {
    if (chunk.firstTs !== undefined && (summary.firstTs === undefined || chunk.firstTs < summary.firstTs)) summary.firstTs = chunk.firstTs;
    if (chunk.lastTs !== undefined && (summary.lastTs === undefined || chunk.lastTs > summary.lastTs)) summary.lastTs = chunk.lastTs;
    summary.eventCount += chunk.eventCount;
    summary.pageCount += chunk.pageviews;
    summary.clickCount += chunk.clicks;
    summary.errorCount += chunk.errors;
    summary.loupe ||= chunk.loupe;
    for (const interval of chunk.activeIntervals) intervals.push(interval);
    // Ties in time go to the earlier chunk for the entry and the later one for the exit, so the
    // choice never depends on the order the facts arrive in.
    if (chunk.firstUrl && before(chunk.firstUrl.ts, chunk, entry)) {
      entry = { ...chunk.firstUrl, chunk };
    }
    if (chunk.lastUrl && after(chunk.lastUrl.ts, chunk, exit)) {
      exit = { ...chunk.lastUrl, chunk };
    }
    if (chunk.viewport && before(chunk.viewport.ts, chunk, viewport)) {
      viewport = { ...chunk.viewport, chunk };
    }
    if (chunk.userId && after(chunk.userId.ts, chunk, user)) {
      user = { ...chunk.userId, chunk };
    }
  }

  if (summary.firstTs !== undefined && summary.lastTs !== undefined) summary.durationMs = summary.lastTs - summary.firstTs;
  summary.activeMs = activeMs(mergeIntervals(intervals));
  if (entry) summary.entryUrl = entry.url;
  if (exit) summary.exitUrl = exit.url;
  if (viewport) summary.viewport = { width: viewport.width, height: viewport.height };
  if (user) summary.userId = user.id;
  return summary;
}

interface Chosen {
  ts: number;
  chunk: ChunkFacts;
}

const before = (ts: number, chunk: ChunkFacts, than: Chosen | undefined): boolean => !than || (ts - than.ts || compareChunks(chunk, than.chunk)) < 0;
const after = (ts: number, chunk: ChunkFacts, than: Chosen | undefined): boolean => !than || (ts - than.ts || compareChunks(chunk, than.chunk)) > 0;

function compareChunks(a: ChunkFacts, b: ChunkFacts): number {
  if (a.seq !== b.seq) return a.seq - b.seq;
  const wa = a.windowId ?? '';
  const wb = b.windowId ?? '';
  return wa < wb ? -1 : wa > wb ? 1 : 0;
}

/**
 * One fact per chunk. A chunk processed twice gives the same facts; should two differ
 * (a chunk reprocessed with another context), the choice must still not depend on arrival order,
 * so the one with the greater serialisation wins.
 */
function distinctChunks(chunks: readonly ChunkFacts[]): ChunkFacts[] {
  const byChunk = new Map<string, { facts: ChunkFacts; key?: string }>();
  for (const facts of chunks) {
    const id = `${facts.seq}\u0000${facts.windowId ?? ''}`;
    const seen = byChunk.get(id);
    if (!seen) {
      byChunk.set(id, { facts });
      continue;
    }
    if (seen.facts === facts) continue;
    seen.key ??= JSON.stringify(seen.facts);
    const key = JSON.stringify(facts);
    if (key > seen.key) byChunk.set(id, { facts, key });
  }
  return [...byChunk.values()].map((entry) => entry.facts);
}
