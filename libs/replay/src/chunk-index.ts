import { RRWEB, type RecordedEvent } from '@loupe/contracts/recording';
import { isRecord } from './bounds';

/** A full snapshot inside a chunk: where the player can start drawing the page. */
export interface FullSnapshotRef {
  ts: number;
  /** Position of the full snapshot in the chunk's events. */
  index: number;
  /**
   * Where to start feeding the player: the Meta event right before the snapshot when the chunk
   * holds it (rrweb sizes the replay frame from it), the snapshot itself otherwise.
   */
  start: number;
}

/** What the worker stores beside a chunk so the api can seek without decoding chunks. */
export interface ChunkIndex {
  firstTs?: number;
  lastTs?: number;
  eventCount: number;
  fullSnapshots: FullSnapshotRef[];
  /**
   * Whether the last event is a Meta event: batching can separate rrweb's Meta from the full
   * snapshot that follows it, and the player then needs to start in this chunk.
   */
  endsWithMeta: boolean;
}

export function indexEvents(events: readonly RecordedEvent[]): ChunkIndex {
  let firstTs = Infinity;
  let lastTs = -Infinity;
  const fullSnapshots: FullSnapshotRef[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!isRecord(event)) continue;
    const ts = event.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
    if (ts < firstTs) firstTs = ts;
    if (ts > lastTs) lastTs = ts;
    if (event.type === RRWEB.FullSnapshot) {
      const before = i > 0 ? events[i - 1] : undefined;
      const start = isRecord(before) && before.type === RRWEB.Meta ? i - 1 : i;
      fullSnapshots.push({ ts, index: i, start });
    }
  }
  const last = events[events.length - 1];
  const index: ChunkIndex = { eventCount: events.length, fullSnapshots, endsWithMeta: isRecord(last) && last.type === RRWEB.Meta };
  if (firstTs !== Infinity) {
    index.firstTs = firstTs;
    index.lastTs = lastTs;
  }
  return index;
}

export interface SeekPoint {
  /** The chunk holding the full snapshot, its time and position there. */
  seq: number;
  ts: number;
  index: number;
  /** Where the player starts: chunk `startSeq`, event `start` (the Meta before the snapshot when known). */
  startSeq: number;
  start: number;
}

/**
 * The last full snapshot at or before `t` across the chunks of one browser tab (each tab is its own
 * rrweb recording, with its own snapshots and numbering): the player loads chunk
 * `startSeq` and the ones after it, starts at event `start` and fast-forwards to `t`. Before the first snapshot there
 * is nothing to draw on, so a `t` earlier than every snapshot gets the first one. Undefined when no
 * chunk holds a full snapshot.
 */
export function seekPoint(chunks: ReadonlyArray<{ seq: number; index: ChunkIndex }>, t: number): SeekPoint | undefined {
  let best: SeekPoint | undefined;
  let earliest: SeekPoint | undefined;
  for (const { seq, index } of chunks) {
    for (const snapshot of index.fullSnapshots) {
      const point: SeekPoint = { seq, ts: snapshot.ts, index: snapshot.index, startSeq: seq, start: snapshot.start };
      if (!earliest || compare(point, earliest) < 0) earliest = point;
      if (snapshot.ts <= t && (!best || compare(point, best) > 0)) best = point;
    }
  }
  const point = best ?? earliest;
  if (point && point.index === 0) {
    const previous = chunks.find((chunk) => chunk.seq === point.seq - 1);
    if (previous?.index.endsWithMeta) {
      point.startSeq = previous.seq;
      point.start = previous.index.eventCount - 1;
    }
  }
  return point;
}

function compare(a: SeekPoint, b: SeekPoint): number {
  return a.ts - b.ts || a.seq - b.seq || a.index - b.index;
}
