import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { isCI } from '../../../tools/testing/services';
import { flush, useRecorderPages, type Harness } from './harness';

/** Options that leave sending to explicit flushes and page exits, and retry fast. */
const quiet = { flushIntervalMs: 60_000, retry: { baseDelayMs: 200, maxDelayMs: 800 } };

const track = (page: Page, name: string) => page.evaluate((n) => window.Loupe!.track(n), name);
const stored = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('loupe.ob.')));

/** Tracks events whose props are random text, which gzip cannot shrink below about 750 bytes per prop. */
function trackNoise(page: Page, counts: number[]) {
  return page.evaluate((counts) => {
    const noise = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(750))));
    counts.forEach((n, k) => window.Loupe!.track(`noise-${k}`, Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, noise()]))));
  }, counts);
}
const attemptsOf = (h: Harness, marker: string) => h.received.filter((r) => r.json.includes(marker));

describe.skipIf(!browserAvailable() && !isCI)('delivery of the recording, in Chromium', () => {
  const s = useRecorderPages(() => launchBrowser());

  it('resolves flush() only once the server has acknowledged, with gzip sent as application/octet-stream', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    h.control.delayMs = 400;
    await track(page, 'flush-marker');
    expect(await flush(page)).toBe('resolved');
    // The receiver keeps a batch just before answering, so it must be there the moment flush resolves.
    const hits = attemptsOf(h, 'flush-marker');
    expect(hits.map((r) => [r.status, r.contentType])).toEqual([[202, 'application/octet-stream']]);
    const b = hits[0]!.batch;
    expect(b).toMatchObject({ v: 1, seq: 0, sessionId: expect.stringMatching(/^[\w-]{8,64}$/), visitorId: expect.stringMatching(/^[\w-]{8,64}$/), windowId: expect.stringMatching(/^[\w-]{8,64}$/), batchId: expect.stringMatching(/^[\w-]{8,64}$/) });
    // A playable recording: rrweb's meta event, then the full snapshot.
    const types = b.events.map((e) => e.type);
    expect(types.indexOf(4)).toBeGreaterThanOrEqual(0);
    expect(types.indexOf(2)).toBe(types.indexOf(4) + 1);
  });

  it('retries 503 and 429 with backoff, honouring Retry-After, and delivers each batch exactly once', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    h.control.plan = [503, 429];
    h.control.retryAfter = '1';
    await track(page, 'retry-marker');
    expect(await flush(page)).toBe('resolved');
    await track(page, 'after-marker');
    expect(await flush(page)).toBe('resolved');
    await page.waitForTimeout(1500);

    const tries = attemptsOf(h, 'retry-marker');
    expect(tries.map((r) => r.status)).toEqual([503, 429, 202]);
    expect(new Set(tries.map((r) => r.batch.seq)).size).toBe(1);
    expect(new Set(tries.map((r) => r.batch.batchId)).size).toBe(1);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(950);
    // Nothing is sent again once acknowledged: one 202 per (session, window, seq), and no duplicates.
    const ok = h.received.filter((r) => r.status === 202);
    expect(ok.every((r) => !r.duplicate)).toBe(true);
    expect(ok.map((r) => r.batch.seq)).toEqual([0, 1]);
  });

  it('drops a batch the server refuses with a 4xx, warns once, and carries on', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    h.control.plan = [400];
    await track(page, 'refused-1');
    expect(await flush(page)).toMatch(/^rejected: .*HTTP 400/);
    h.control.plan = [422];
    await track(page, 'refused-2');
    expect(await flush(page)).toMatch(/^rejected: .*HTTP 422/);
    await track(page, 'accepted-3');
    expect(await flush(page)).toBe('resolved');

    expect(attemptsOf(h, 'refused-1')).toHaveLength(1);
    expect(attemptsOf(h, 'refused-2')).toHaveLength(1);
    expect(attemptsOf(h, 'accepted-3').map((r) => r.status)).toEqual([202]);
    expect(s.seen.warnings).toEqual([expect.stringContaining('HTTP 400')]);
    expect(await stored(page)).toEqual([]);
  });

  it('keeps what could not be delivered and sends it from the next page after a reload', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    h.control.fail = 503;
    await track(page, 'before-reload');
    await page.evaluate(() => void window.Loupe!.flush().catch(() => undefined));
    await h.waitFor('a failed attempt', () => attemptsOf(h, 'before-reload').length > 0);
    expect((await stored(page)).length).toBeGreaterThan(0);
    const first = attemptsOf(h, 'before-reload')[0]!.batch;

    await page.reload();
    await page.waitForFunction(() => window.Loupe?.getSessionId());
    h.control.fail = 0;
    await h.waitFor('the batch from before the reload', () => attemptsOf(h, 'before-reload').find((r) => r.status === 202));
    expect(await flush(page)).toBe('resolved');

    const delivered = attemptsOf(h, 'before-reload').filter((r) => r.status === 202);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.batch).toMatchObject({ sessionId: first.sessionId, windowId: first.windowId, seq: first.seq, batchId: first.batchId });
    // The new page numbers its batches after those of the page before, in the same tab.
    const later = h.received.filter((r) => r.status === 202 && !r.json.includes('before-reload'));
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => r.batch.windowId === first.windowId && r.batch.seq > first.seq)).toBe(true);
    expect(await stored(page)).toEqual([]);
  });

  it('sends what is buffered when the page is left, without waiting for the timer', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    await track(page, 'leaving-marker');
    await page.goto(h.url({ init: null }));
    const hit = await h.waitFor('the batch sent on pagehide', () => attemptsOf(h, 'leaving-marker').find((r) => r.status === 202));
    expect(hit.contentType).toBe('application/octet-stream');
  });

  it('sends what is buffered when the page is hidden', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    await track(page, 'hidden-marker');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await h.waitFor('the batch sent when hidden', () => attemptsOf(h, 'hidden-marker').find((r) => r.status === 202));
  });

  it('sends a last batch too large for keepalive by sendBeacon, as text/plain', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    expect(await flush(page)).toBe('resolved');
    await trackNoise(page, [50, 30]); // about 62 KB compressed: above keepalive's 60 KB, within a beacon's 64 KB
    await page.goto(h.url({ init: null }));
    const hit = await h.waitFor('the beacon', () => attemptsOf(h, 'noise-1').find((r) => r.status === 202));
    expect(hit.contentType).toBe('text/plain');
    expect(hit.bytes).toBeGreaterThan(60 * 1024);
  });

  it('keeps what cannot leave a closing page (the browser allows 64 KB in flight) and sends it from the next', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { ...quiet, maxBatchBytes: 40_000 } }));
    expect(await flush(page)).toBe('resolved');
    await trackNoise(page, [50, 50, 50, 50]); // four batches of about 38 KB
    await page.goto(h.url({ init: quiet }));
    for (let k = 0; k < 4; k++) await h.waitFor(`noise-${k}`, () => attemptsOf(h, `noise-${k}`).find((r) => r.status === 202 && !r.duplicate));
    expect(await flush(page)).toBe('resolved');
    await h.waitFor('an empty outbox', async () => (await stored(page)).length === 0);
  });

  it('hands batches of a closed tab to another tab of the site', async () => {
    const { page, h, context } = s;
    await page.goto(h.url({ init: quiet }));
    h.control.fail = 503;
    await track(page, 'closed-tab-marker');
    await page.evaluate(() => void window.Loupe!.flush().catch(() => undefined));
    await h.waitFor('a failed attempt', () => attemptsOf(h, 'closed-tab-marker').length > 0);
    await page.close({ runBeforeUnload: true });
    h.control.fail = 0;
    const other = await context.newPage();
    await other.goto(h.url({ init: quiet }));
    const hit = await h.waitFor('the closed tab’s batch', () => attemptsOf(h, 'closed-tab-marker').find((r) => r.status === 202));
    expect(await flush(other)).toBe('resolved');
    const otherWindow = h.received.find((r) => r.status === 202 && !r.json.includes('closed-tab-marker'))?.batch.windowId;
    expect(otherWindow).toBeTruthy();
    expect(hit.batch.windowId).not.toBe(otherWindow);
  });

  it('leaves the page working when the endpoint is down, and flush() gives up after the retries', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { endpoint: 'http://127.0.0.1:9', retry: { baseDelayMs: 50, maxDelayMs: 100, attempts: 3 } } }));
    for (let i = 0; i < 3; i++) await page.locator('#counter').click();
    await page.locator('#name').fill('still typing');
    await page.evaluate(() => {
      window.Loupe!.track('offline');
      history.pushState({}, '', '/elsewhere');
    });
    expect(await page.locator('#counter').textContent()).toBe('3');
    expect(await page.locator('#name').inputValue()).toBe('still typing');
    expect(await flush(page)).toMatch(/^rejected: .*could not be reached/);
    expect(s.seen.errors).toEqual([]);
    expect(s.seen.warnings).toEqual([]);
    // Kept for a later page.
    expect((await stored(page)).length).toBeGreaterThan(0);
  });
});
