import { describe, expect, it } from 'vitest';
import { indexEvents, seekPoint, type ChunkIndex } from './chunk-index';
import { click, fullSnapshot, meta, mutation, T0 } from './test-events';

describe('indexEvents', () => {
  it('lists each full snapshot with its time, position and the Meta event to start from', () => {
    const events = [
      meta(T0, 'https://a.test/'),
      fullSnapshot(T0 + 1),
      mutation(T0 + 100),
      click(T0 + 200, 1, 1, 1),
      fullSnapshot(T0 + 300), // no Meta before it in this chunk
      meta(T0 + 400, 'https://a.test/b'),
      fullSnapshot(T0 + 401),
    ];
    expect(indexEvents(events)).toEqual({
      firstTs: T0,
      lastTs: T0 + 401,
      eventCount: 7,
      fullSnapshots: [
        { ts: T0 + 1, index: 1, start: 0 },
        { ts: T0 + 300, index: 4, start: 4 },
        { ts: T0 + 401, index: 6, start: 5 },
      ],
      endsWithMeta: false,
    });
  });

  it('indexes an empty chunk', () => {
    expect(indexEvents([])).toEqual({ eventCount: 0, fullSnapshots: [], endsWithMeta: false });
  });
});

describe('seekPoint', () => {
  const chunks: Array<{ seq: number; index: ChunkIndex }> = [
    { seq: 0, index: indexEvents([meta(T0, 'https://a.test/'), fullSnapshot(T0 + 1), mutation(T0 + 50)]) },
    { seq: 1, index: indexEvents([mutation(T0 + 1000), click(T0 + 2000, 1, 1, 1)]) },
    { seq: 2, index: indexEvents([mutation(T0 + 5000), meta(T0 + 6000, 'https://a.test/'), fullSnapshot(T0 + 6001), mutation(T0 + 7000)]) },
    { seq: 3, index: indexEvents([mutation(T0 + 8000)]) },
  ];

  it('finds the chunk holding the last full snapshot at or before the time, in any chunk order', () => {
    for (const list of [chunks, [...chunks].reverse()]) {
      expect(seekPoint(list, T0 + 3000)).toEqual({ seq: 0, ts: T0 + 1, index: 1, startSeq: 0, start: 0 });
      expect(seekPoint(list, T0 + 6001)).toEqual({ seq: 2, ts: T0 + 6001, index: 2, startSeq: 2, start: 1 });
      expect(seekPoint(list, T0 + 60_000)).toEqual({ seq: 2, ts: T0 + 6001, index: 2, startSeq: 2, start: 1 });
    }
  });

  it('starts at the first snapshot before the recording, and finds nothing without snapshots', () => {
    expect(seekPoint(chunks, T0 - 1000)).toEqual({ seq: 0, ts: T0 + 1, index: 1, startSeq: 0, start: 0 });
    expect(seekPoint([chunks[1]!, chunks[3]!], T0 + 5000)).toBeUndefined();
  });

  it('starts in the chunk before when batching separated the Meta event from its snapshot', () => {
    const parted = [
      { seq: 4, index: indexEvents([mutation(T0), meta(T0 + 10, 'https://a.test/')]) },
      { seq: 5, index: indexEvents([fullSnapshot(T0 + 11), mutation(T0 + 20)]) },
    ];
    expect(parted[0]!.index.endsWithMeta).toBe(true);
    expect(seekPoint(parted, T0 + 15)).toEqual({ seq: 5, ts: T0 + 11, index: 0, startSeq: 4, start: 1 });
    expect(seekPoint([parted[1]!], T0 + 15)).toEqual({ seq: 5, ts: T0 + 11, index: 0, startSeq: 5, start: 0 });
  });
});
