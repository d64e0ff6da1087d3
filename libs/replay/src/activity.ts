import { RRWEB, USER_INTERACTION_SOURCES, type RecordedEvent } from '@loupe/contracts/recording';
import { isRecord } from './bounds';

/**
 * rrweb's player fast-forwards when the next interaction is more than 10 s away
 * (`inactivePeriodThreshold`); using the same figure makes "active time" match what a viewer sees
 * played at normal speed.
 */
export const INACTIVITY_THRESHOLD_MS = 10_000;

/** Closed interval `[start, end]` in epoch milliseconds. */
export type Interval = [number, number];

export interface Activity {
  /** Earliest and latest event time; absent when no event has a usable timestamp. */
  firstTs?: number;
  lastTs?: number;
  eventCount: number;
  /** Sorted, disjoint, separated by more than `INACTIVITY_THRESHOLD_MS`. */
  activeIntervals: Interval[];
}

/**
 * The incremental sources that are the visitor doing something. rrweb's player counts sources 1..5;
 * touch moves, media controls, drags and text selection are the same kind of attention, and on a
 * phone touch moves are most of it.
 */
const INTERACTION_SOURCES: ReadonlySet<unknown> = new Set<number>(USER_INTERACTION_SOURCES);

export function isInteraction(event: RecordedEvent): boolean {
  return event.type === RRWEB.IncrementalSnapshot && isRecord(event.data) && INTERACTION_SOURCES.has(event.data['source']);
}

/**
 * Time span and active intervals of one chunk. Interactions closer than the threshold join one
 * interval, so the union of the chunks' intervals (see `mergeIntervals`) equals the intervals of the
 * whole recording.
 */
export function activityOf(events: readonly RecordedEvent[]): Activity {
  let firstTs = Infinity;
  let lastTs = -Infinity;
  const intervals: Interval[] = [];
  let sorted = true;
  let current: Interval | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!isRecord(event)) continue;
    const ts = event.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    if (ts < firstTs) firstTs = ts;
    if (ts > lastTs) lastTs = ts;
    if (!isInteraction(event)) continue;
    if (current && ts < current[1]) sorted = false;
    if (current && ts - current[1] <= INACTIVITY_THRESHOLD_MS && ts >= current[0]) {
      if (ts > current[1]) current[1] = ts;
    } else {
      current = [ts, ts];
      intervals.push(current);
    }
  }
  const activity: Activity = { eventCount: events.length, activeIntervals: sorted ? intervals : mergeIntervals(intervals) };
  if (firstTs !== Infinity) {
    activity.firstTs = firstTs;
    activity.lastTs = lastTs;
  }
  return activity;
}

/**
 * Union of intervals from any number of chunks, in any order, duplicates included: intervals that
 * overlap or lie within `gapMs` of each other become one, exactly as if the chunks had been one.
 */
export function mergeIntervals(list: readonly (readonly [number, number])[], gapMs: number = INACTIVITY_THRESHOLD_MS): Interval[] {
  const valid = list.filter(([start, end]) => Number.isFinite(start) && Number.isFinite(end) && end >= start);
  valid.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Interval[] = [];
  for (const [start, end] of valid) {
    const last = out[out.length - 1];
    if (last && start - last[1] <= gapMs) {
      if (end > last[1]) last[1] = end;
    } else {
      out.push([start, end]);
    }
  }
  return out;
}

/** Milliseconds covered by the union of the intervals. */
export function activeMs(intervals: readonly (readonly [number, number])[]): number {
  let total = 0;
  for (const [start, end] of mergeIntervals(intervals)) total += end - start;
  return total;
}
