import type { KeyValueStore } from './storage';

/**
 * Batches not yet acknowledged, kept in localStorage so that a reload, a closed tab or a crash does
 * not lose them: the next page of the site sends them. Everything an entry is found by lives in its
 * key (`loupe.ob.<created>.<size>.<session>.<window>.<seq>`, numbers in base 36), so listing and
 * bounding the outbox reads keys only; the value is the endpoint URL, a newline and the gzip bytes
 * as a binary string (one character per byte, half the size of base64 in UTF-16 storage).
 */
const PREFIX = 'loupe.ob.';
const HEARTBEAT = 'loupe.hb.';

export interface OutboxEntry {
  key: string;
  createdAt: number;
  /** Characters stored. */
  size: number;
  sessionId: string;
  windowId: string;
  seq: number;
}

export function outboxKey(e: Omit<OutboxEntry, 'key'>): string {
  return `${PREFIX}${e.createdAt.toString(36)}.${e.size.toString(36)}.${e.sessionId}.${e.windowId}.${e.seq.toString(36)}`;
}

export function parseOutboxKey(key: string): OutboxEntry | null {
  if (!key.startsWith(PREFIX)) return null;
  const parts = key.slice(PREFIX.length).split('.');
  if (parts.length !== 5) return null;
  const [created, size, sessionId, windowId, seq] = parts as [string, string, string, string, string];
  const e = { key, createdAt: parseInt(created, 36), size: parseInt(size, 36), sessionId, windowId, seq: parseInt(seq, 36) };
  return Number.isFinite(e.createdAt) && Number.isFinite(e.size) && Number.isFinite(e.seq) && sessionId && windowId ? e : null;
}

/** Oldest first, so eviction drops the oldest and resending keeps each window's order. */
export function sortEntries(entries: OutboxEntry[]): OutboxEntry[] {
  return entries.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
}

/** Entries to remove, oldest first, so that `incoming` more characters fit under `maxChars`. */
export function planEviction(entries: readonly OutboxEntry[], incoming: number, maxChars: number): OutboxEntry[] {
  let total = incoming;
  for (const e of entries) total += e.size;
  const out: OutboxEntry[] = [];
  for (const e of sortEntries([...entries])) {
    if (total <= maxChars) break;
    out.push(e);
    total -= e.size;
  }
  return out;
}

export function bytesToBinary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x4000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x4000) as unknown as number[]);
  return s;
}

export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
  return out;
}

export class Outbox {
  constructor(
    private readonly store: KeyValueStore,
    private readonly maxChars: number,
  ) {}

  list(): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const k of this.store.keys()) {
      const e = parseOutboxKey(k);
      if (e) out.push(e);
    }
    return sortEntries(out);
  }

  /** Stores a batch; the key, or null when it cannot be kept (larger than the bound, storage full). */
  put(meta: Omit<OutboxEntry, 'key' | 'size'>, url: string, body: Uint8Array): string | null {
    const value = `${url}\n${bytesToBinary(body)}`;
    if (value.length > this.maxChars) return null;
    const key = outboxKey({ ...meta, size: value.length });
    const entries = this.list();
    for (const e of planEviction(entries, value.length, this.maxChars)) this.store.remove(e.key);
    // The browser's quota may be smaller than ours, or shared with the site's own data.
    for (let i = 0; ; i++) {
      if (this.store.set(key, value)) return key;
      const oldest = this.list()[0];
      if (!oldest || i >= 8) return null;
      this.store.remove(oldest.key);
    }
  }

  read(entry: OutboxEntry): { url: string; body: Uint8Array } | null {
    const value = this.store.get(entry.key);
    const nl = value ? value.indexOf('\n') : -1;
    if (!value || nl < 0) return null;
    return { url: value.slice(0, nl), body: binaryToBytes(value.slice(nl + 1)) };
  }

  remove(key: string): void {
    this.store.remove(key);
  }

  /**
   * A live page refreshes its window's heartbeat; entries of a window whose heartbeat is missing
   * or stale have lost their page, and another page of the site takes them over.
   */
  beat(windowId: string, now: number): void {
    this.store.set(HEARTBEAT + windowId, String(now));
  }

  stopBeating(windowId: string): void {
    this.store.remove(HEARTBEAT + windowId);
  }

  isAlive(windowId: string, now: number, staleMs: number): boolean {
    const t = Number(this.store.get(HEARTBEAT + windowId));
    return t > 0 && now - t < staleMs;
  }

  /** Removes heartbeats of windows gone long ago, which nothing else would ever delete. */
  sweepHeartbeats(now: number, maxAgeMs: number): void {
    for (const k of this.store.keys()) if (k.startsWith(HEARTBEAT) && !(now - Number(this.store.get(k)) < maxAgeMs)) this.store.remove(k);
  }
}
