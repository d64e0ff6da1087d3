import { SESSION_IDLE_TIMEOUT_MS } from '@loupe/contracts/recording';
import { isId, randomId } from './ids';
import type { KeyValueStore } from './storage';

export const KEYS = {
  visitor: 'loupe.visitor',
  session: 'loupe.session',
  window: 'loupe.window',
  windowOpen: 'loupe.window.open',
  seq: 'loupe.seq',
} as const;

export interface SessionRecord {
  id: string;
  startedAt: number;
  lastActivity: number;
}

export function parseSession(raw: string | null): SessionRecord | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<SessionRecord>;
    if (isId(s.id) && typeof s.startedAt === 'number' && typeof s.lastActivity === 'number') return { id: s.id, startedAt: s.startedAt, lastActivity: s.lastActivity };
  } catch {
    // A damaged record is as good as none: a new session starts.
  }
  return null;
}

export function isSessionLive(s: SessionRecord | null, now: number, idleMs = SESSION_IDLE_TIMEOUT_MS): boolean {
  return !!s && now - s.lastActivity <= idleMs;
}

/** The session after activity at `now`: the same one while it is live, otherwise a new one. */
export function touchSession(s: SessionRecord | null, now: number, newId: () => string = randomId, idleMs = SESSION_IDLE_TIMEOUT_MS): SessionRecord {
  if (s && isSessionLive(s, now, idleMs)) return { ...s, lastActivity: Math.max(s.lastActivity, now) };
  return { id: newId(), startedAt: now, lastActivity: now };
}

export function loadVisitorId(local: KeyValueStore, newId: () => string = randomId): string {
  const stored = local.get(KEYS.visitor);
  if (isId(stored)) return stored;
  const id = newId();
  local.set(KEYS.visitor, id);
  return id;
}

/**
 * The tab's id. sessionStorage is copied when a tab is duplicated or opened by `window.open`, so a
 * tab marks itself open while a page of it lives; finding the mark at load means another live tab
 * holds the same copy (or the last page died without `pagehide`), and a fresh id keeps the two
 * tabs' sequence numbers apart.
 */
export function openWindow(tab: KeyValueStore, newId: () => string = randomId): string {
  const stored = tab.get(KEYS.window);
  const id = isId(stored) && tab.get(KEYS.windowOpen) === null ? stored : newId();
  tab.set(KEYS.window, id);
  tab.set(KEYS.windowOpen, '1');
  return id;
}

export function markWindowOpen(tab: KeyValueStore, open: boolean): void {
  if (open) tab.set(KEYS.windowOpen, '1');
  else tab.remove(KEYS.windowOpen);
}

/** Takes the next batch number of (session, window); it continues across page loads of the tab. */
export function takeSeq(tab: KeyValueStore, sessionId: string, windowId: string): number {
  let next = 0;
  try {
    const s = JSON.parse(tab.get(KEYS.seq) ?? 'null') as { s?: string; w?: string; n?: number } | null;
    if (s && s.s === sessionId && s.w === windowId && typeof s.n === 'number' && s.n >= 0) next = s.n;
  } catch {
    // Starting again at 0 in a new chain is safe; only a reused number would be lost as a duplicate.
  }
  tab.set(KEYS.seq, JSON.stringify({ s: sessionId, w: windowId, n: next + 1 }));
  return next;
}

/**
 * The session shared by the tabs of one visit. Activity in any tab keeps it alive; after
 * `SESSION_IDLE_TIMEOUT_MS` without activity the next activity starts a new one. Storage is read
 * and written at most about once a second, since activity arrives with every mouse move.
 */
export class SessionTracker {
  current: SessionRecord;
  private syncedAt = 0;
  private checkedAt = 0;

  constructor(
    private readonly store: KeyValueStore,
    now: number,
    private readonly newId: () => string = randomId,
    private readonly idleMs = SESSION_IDLE_TIMEOUT_MS,
    private readonly syncMs = 1000,
  ) {
    this.current = touchSession(this.read(), now, newId, idleMs);
    this.write(now);
  }

  get id(): string {
    return this.current.id;
  }

  /** Records user activity; true when it moved this tab to another session. */
  activity(now: number): boolean {
    const before = this.current.id;
    // Always read before writing: a write from stale memory would undo another tab's new session.
    const sync = now - this.syncedAt >= this.syncMs || !isSessionLive(this.current, now, this.idleMs);
    // Storage is the truth shared by the tabs; memory only stands in when storage holds nothing.
    const base = sync ? (this.read() ?? this.current) : this.current;
    this.current = touchSession(base, now, this.newId, this.idleMs);
    if (sync) this.write(now);
    return this.current.id !== before;
  }

  /**
   * Whether what the page does without the user (mutations, timers, errors) still belongs to this
   * tab's session; once it has expired such events are dropped until activity starts a new one.
   */
  isLive(now: number): boolean {
    if (isSessionLive(this.current, now, this.idleMs)) return true;
    if (now - this.checkedAt < this.syncMs) return false;
    this.checkedAt = now;
    const stored = this.read();
    if (stored && stored.id === this.current.id && isSessionLive(stored, now, this.idleMs)) {
      this.current = stored;
      return true;
    }
    return false;
  }

  /** Writes the last activity now, for a page about to be hidden or closed. */
  save(now: number): void {
    const stored = this.read();
    if (stored && stored.id !== this.current.id) return;
    if (stored) this.current = { ...this.current, lastActivity: Math.max(stored.lastActivity, this.current.lastActivity) };
    this.write(now);
  }

  private read(): SessionRecord | null {
    return parseSession(this.store.get(KEYS.session));
  }

  private write(now: number): void {
    this.syncedAt = now;
    this.store.set(KEYS.session, JSON.stringify(this.current));
  }
}
