import { SESSION_IDLE_TIMEOUT_MS } from '@loupe/contracts/recording';
import { describe, expect, it } from 'vitest';
import { KEYS, loadVisitorId, markWindowOpen, openWindow, parseSession, SessionTracker, takeSeq, touchSession } from './session';
import { memoryStore } from './storage';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const MIN = 60_000;
let n = 0;
const ids = () => `session-${String(++n).padStart(4, '0')}`;

describe('touchSession', () => {
  it('starts a session, keeps it while active, and starts another after 30 idle minutes', () => {
    const s = touchSession(null, T0, ids);
    expect(s).toEqual({ id: expect.any(String), startedAt: T0, lastActivity: T0 });
    const later = touchSession(s, T0 + SESSION_IDLE_TIMEOUT_MS, ids);
    expect(later).toEqual({ ...s, lastActivity: T0 + SESSION_IDLE_TIMEOUT_MS });
    const next = touchSession(later, later.lastActivity + SESSION_IDLE_TIMEOUT_MS + 1, ids);
    expect(next.id).not.toBe(s.id);
    expect(next.startedAt).toBe(later.lastActivity + SESSION_IDLE_TIMEOUT_MS + 1);
  });

  it('never moves the last activity back when clocks disagree', () => {
    const s = { id: 'abcdefgh', startedAt: T0, lastActivity: T0 + 5000 };
    expect(touchSession(s, T0 + 1000, ids).lastActivity).toBe(T0 + 5000);
  });

  it('treats a damaged stored record as none', () => {
    expect(parseSession('{"id":1}')).toBeNull();
    expect(parseSession('not json')).toBeNull();
    expect(parseSession(null)).toBeNull();
  });
});

describe('SessionTracker', () => {
  it('is shared by the tabs of one visit', () => {
    const local = memoryStore();
    const a = new SessionTracker(local, T0, ids);
    const b = new SessionTracker(local, T0 + 5 * MIN, ids);
    expect(b.id).toBe(a.id);
  });

  it('stays alive in an idle tab while another tab is active', () => {
    const local = memoryStore();
    const idle = new SessionTracker(local, T0, ids);
    const busy = new SessionTracker(local, T0, ids);
    for (let t = T0; t <= T0 + 50 * MIN; t += 5 * MIN) busy.activity(t);
    // Memory alone says the idle tab's session is over; storage says the visit goes on.
    expect(idle.isLive(T0 + 50 * MIN)).toBe(true);
    expect(idle.activity(T0 + 51 * MIN)).toBe(false);
    expect(idle.id).toBe(busy.id);
  });

  it('rolls over after 30 idle minutes, and the other tabs join the new session on their next activity', () => {
    const local = memoryStore();
    const a = new SessionTracker(local, T0, ids);
    const b = new SessionTracker(local, T0, ids);
    const first = a.id;
    const back = T0 + 31 * MIN;
    expect(a.isLive(back)).toBe(false);
    expect(a.activity(back)).toBe(true);
    expect(a.id).not.toBe(first);
    expect(b.activity(back + 2000)).toBe(true);
    expect(b.id).toBe(a.id);
  });

  it('never writes its stale session over a newer one of another tab', () => {
    const local = memoryStore();
    const a = new SessionTracker(local, T0, ids);
    const b = new SessionTracker(local, T0, ids);
    b.activity(T0 + 31 * MIN); // b starts a new session
    const newer = b.id;
    a.activity(T0 + 31 * MIN + 10); // a joins it rather than writing its own back
    a.save(T0 + 31 * MIN + 20);
    expect(parseSession(local.get(KEYS.session))!.id).toBe(newer);
    expect(a.id).toBe(newer);
  });

  it('reads storage at most once a second on activity', () => {
    const local = memoryStore();
    const a = new SessionTracker(local, T0, ids);
    const stored = parseSession(local.get(KEYS.session))!;
    local.set(KEYS.session, JSON.stringify({ ...stored, lastActivity: T0 - 40 * MIN }));
    expect(a.activity(T0 + 500)).toBe(false);
    expect(a.activity(T0 + 1000)).toBe(true);
  });
});

describe('ids kept in storage', () => {
  it('keeps the visitor id', () => {
    const local = memoryStore();
    const v = loadVisitorId(local, ids);
    expect(loadVisitorId(local, ids)).toBe(v);
  });

  it('keeps the window id across page loads of a tab, and changes it in a copied tab', () => {
    const tab = memoryStore();
    const w = openWindow(tab, ids);
    markWindowOpen(tab, false); // pagehide
    expect(openWindow(tab, ids)).toBe(w);
    // A copy of the tab's storage made while the page is open: another live tab holds this id.
    const copy = memoryStore();
    for (const k of tab.keys()) copy.set(k, tab.get(k)!);
    expect(openWindow(copy, ids)).not.toBe(w);
  });

  it('numbers batches per session and window, continuing across page loads', () => {
    const tab = memoryStore();
    expect([takeSeq(tab, 'sess-aaaa', 'win-aaaa'), takeSeq(tab, 'sess-aaaa', 'win-aaaa'), takeSeq(tab, 'sess-aaaa', 'win-aaaa')]).toEqual([0, 1, 2]);
    expect(takeSeq(tab, 'sess-bbbb', 'win-aaaa')).toBe(0);
    expect(takeSeq(tab, 'sess-bbbb', 'win-aaaa')).toBe(1);
    tab.set(KEYS.seq, 'garbage');
    expect(takeSeq(tab, 'sess-bbbb', 'win-aaaa')).toBe(0);
  });
});
