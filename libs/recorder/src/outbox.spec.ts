import { describe, expect, it } from 'vitest';
import { binaryToBytes, bytesToBinary, Outbox, outboxKey, parseOutboxKey, planEviction, type OutboxEntry } from './outbox';
import { memoryStore, type KeyValueStore } from './storage';

const meta = (createdAt: number, seq = 0) => ({ createdAt, sessionId: 'sess-aaaa', windowId: 'win-bbbb', seq });
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

describe('outbox keys', () => {
  it('carry everything an entry is found by', () => {
    const e = { createdAt: 1_767_000_000_000, size: 12345, sessionId: 'AbC_-123xyz', windowId: 'W_-9zzzzzzz', seq: 4711 };
    const key = outboxKey(e);
    expect(parseOutboxKey(key)).toEqual({ ...e, key });
    expect(parseOutboxKey('loupe.session')).toBeNull();
    expect(parseOutboxKey('loupe.ob.x.y')).toBeNull();
  });
});

describe('planEviction', () => {
  const entry = (createdAt: number, size: number): OutboxEntry => ({ key: String(createdAt), createdAt, size, sessionId: 's', windowId: 'w', seq: 0 });
  it('drops the oldest entries until the new one fits', () => {
    const entries = [entry(3, 400), entry(1, 400), entry(2, 400)];
    expect(planEviction(entries, 300, 1000).map((e) => e.createdAt)).toEqual([1, 2]);
    expect(planEviction(entries, 100, 2000)).toEqual([]);
  });
});

describe('binary strings', () => {
  it('round-trip every byte value', () => {
    const all = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) & 255);
    expect(binaryToBytes(bytesToBinary(all))).toEqual(all);
  });
});

describe('Outbox', () => {
  it('stores, lists oldest first, reads back and removes', () => {
    const box = new Outbox(memoryStore(), 10_000);
    const k2 = box.put(meta(2000, 1), 'https://x/v1/ingest?key=k', bytes(10, 2))!;
    const k1 = box.put(meta(1000, 0), 'https://x/v1/ingest?key=k', bytes(10, 1))!;
    expect(box.list().map((e) => e.key)).toEqual([k1, k2]);
    expect(box.read(box.list()[0]!)).toEqual({ url: 'https://x/v1/ingest?key=k', body: bytes(10, 1) });
    box.remove(k1);
    expect(box.list().map((e) => e.key)).toEqual([k2]);
  });

  it('stays under its bound by dropping the oldest batches', () => {
    const box = new Outbox(memoryStore(), 2500);
    for (let i = 0; i < 10; i++) box.put(meta(1000 + i, i), 'u', bytes(1000));
    const left = box.list();
    expect(left.map((e) => e.seq)).toEqual([8, 9]);
    expect(left.reduce((s, e) => s + e.size, 0)).toBeLessThanOrEqual(2500);
    expect(box.put(meta(5000), 'u', bytes(3000))).toBeNull();
  });

  it('makes room when the browser quota is smaller than the bound', () => {
    const inner = memoryStore();
    let used = 0;
    const tight: KeyValueStore = {
      ...inner,
      set(k, v) {
        const total = used - (inner.get(k)?.length ?? 0) + v.length;
        if (total > 2100) return false;
        used = total;
        return inner.set(k, v);
      },
      remove(k) {
        used -= inner.get(k)?.length ?? 0;
        inner.remove(k);
      },
    };
    const box = new Outbox(tight, 1_000_000);
    for (let i = 0; i < 5; i++) expect(box.put(meta(1000 + i, i), 'u', bytes(1000))).not.toBeNull();
    expect(box.list().map((e) => e.seq)).toEqual([3, 4]);
  });

  it('tells live windows from gone ones by their heartbeat', () => {
    const store = memoryStore();
    const box = new Outbox(store, 1000);
    box.beat('win-a', 1000);
    box.beat('win-b', 1000);
    box.stopBeating('win-b');
    expect(box.isAlive('win-a', 20_000, 90_000)).toBe(true);
    expect(box.isAlive('win-a', 200_000, 90_000)).toBe(false);
    expect(box.isAlive('win-b', 2000, 90_000)).toBe(false);
    box.sweepHeartbeats(1000 + 86_400_001, 86_400_000);
    expect(store.keys()).toEqual([]);
  });
});
