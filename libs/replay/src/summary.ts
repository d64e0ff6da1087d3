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
  /** The chunk's sequence number in its session: facts with the same `seq` describe the same chunk. */
  seq: number;
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
  loupe: boolean;
}

/** The facts of one chunk from its events and what `extractTypedEvents` made of them. */
export function chunkFacts(
  seq: number,
  events: readonly RecordedEvent[],
  typed: readonly TypedEvent[],
  activity: Activity = activityOf(events),
  loupe = false,
): ChunkFacts {
  const facts: ChunkFacts = {
    seq,
    eventCount: activity.eventCount,
    activeIntervals: activity.activeIntervals.map(([start, end]): Interval => [start, end]),
    pageviews: 0,
    clicks: 0,
    errors: 0,
    loupe,
  };
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
  const distinct = distinctBySeq(chunks);
  const summary: SessionSummary = {
    durationMs: 0,
    activeMs: 0,
    pageCount: 0,
    clickCount: 0,
    errorCount: 0,
    eventCount: 0,
    chunkCount: distinct.length,
    loupe: false,
  };
  const intervals: Interval[] = [];
  let entry: (UrlAt & { seq: number }) | undefined;
  let exit: (UrlAt & { seq: number }) | undefined;
  let viewport: (ViewportAt & { seq: number }) | undefined;
  let user: { id: string; ts: number; seq: number } | undefined;

  for (const chunk of distinct) {
    const { seq } = chunk;
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
    if (chunk.firstUrl && (!entry || chunk.firstUrl.ts < entry.ts || (chunk.firstUrl.ts === entry.ts && seq < entry.seq))) {
      entry = { ...chunk.firstUrl, seq };
    }
    if (chunk.lastUrl && (!exit || chunk.lastUrl.ts > exit.ts || (chunk.lastUrl.ts === exit.ts && seq > exit.seq))) {
      exit = { ...chunk.lastUrl, seq };
    }
    if (chunk.viewport && (!viewport || chunk.viewport.ts < viewport.ts || (chunk.viewport.ts === viewport.ts && seq < viewport.seq))) {
      viewport = { ...chunk.viewport, seq };
    }
    if (chunk.userId && (!user || chunk.userId.ts > user.ts || (chunk.userId.ts === user.ts && seq > user.seq))) {
      user = { ...chunk.userId, seq };
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

/**
 * One fact per sequence number. A chunk processed twice gives the same facts; should two differ
 * (a chunk reprocessed with another context), the choice must still not depend on arrival order,
 * so the one with the greater serialisation wins.
 */
function distinctBySeq(chunks: readonly ChunkFacts[]): ChunkFacts[] {
  const bySeq = new Map<number, { facts: ChunkFacts; key?: string }>();
  for (const facts of chunks) {
    const seen = bySeq.get(facts.seq);
    if (!seen) {
      bySeq.set(facts.seq, { facts });
      continue;
    }
    if (seen.facts === facts) continue;
    seen.key ??= JSON.stringify(seen.facts);
    const key = JSON.stringify(facts);
    if (key > seen.key) bySeq.set(facts.seq, { facts, key });
  }
  return [...bySeq.values()].map((entry) => entry.facts);
}
