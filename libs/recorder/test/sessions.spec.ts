import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { isCI } from '../../../tools/testing/services';
import { flush, useRecorderPages } from './harness';

const quiet = { flushIntervalMs: 60_000 };
const sessionOf = (page: Page) => page.evaluate(() => window.Loupe!.getSessionId());

/** Moves the stored last activity back, as if the visitor had been away that long. */
const AGE_SESSION = (minutes: number) => `
  const s = JSON.parse(localStorage.getItem('loupe.session'));
  if (s) { s.lastActivity = Date.now() - ${minutes} * 60000; localStorage.setItem('loupe.session', JSON.stringify(s)); }`;

describe.skipIf(!browserAvailable() && !isCI)('sessions, visitors and tabs, in Chromium', () => {
  const s = useRecorderPages(() => launchBrowser());

  it('shares the session and visitor with a second tab, which numbers its own batches', async () => {
    const { page, h, context } = s;
    await page.goto(h.url({ init: quiet }));
    const second = await context.newPage();
    await second.goto(h.url({ init: quiet }));
    const ids = async (p: Page) => p.evaluate(() => [window.Loupe!.getSessionId(), window.Loupe!.getVisitorId()]);
    const [a, b] = [await ids(page), await ids(second)];
    expect(a[0]).toMatch(/^[\w-]{22}$/);
    expect(b).toEqual(a);

    expect(await flush(page)).toBe('resolved');
    expect(await flush(second)).toBe('resolved');
    const windows = [...new Set(h.received.map((r) => r.batch.windowId))];
    expect(windows).toHaveLength(2);
    for (const w of windows) expect(h.received.filter((r) => r.batch.windowId === w).map((r) => r.batch.seq)).toEqual([0]);
  });

  it('keeps the tab’s window id and batch numbers across a reload, and gives a tab opened from it its own', async () => {
    const { page, h, context } = s;
    await page.goto(h.url({ init: quiet }));
    expect(await flush(page)).toBe('resolved');
    await page.reload();
    expect(await flush(page)).toBe('resolved');
    const mine = h.received.map((r) => [r.batch.windowId, r.batch.seq]);
    expect(new Set(mine.map(([w]) => w)).size).toBe(1);
    // Consecutive numbers from 0: the page after the reload went on where the page before stopped.
    expect(mine.map(([, seq]) => seq)).toEqual(mine.map((_, i) => i));
    expect(mine.length).toBeGreaterThanOrEqual(2);

    // window.open copies sessionStorage, window id included; the new tab must notice and take another.
    const [popup] = await Promise.all([context.waitForEvent('page'), page.evaluate((url) => void window.open(url), h.url({ init: quiet }))]);
    await popup.waitForFunction(() => window.Loupe?.getSessionId());
    expect(await flush(popup)).toBe('resolved');
    const popupWindow = h.received.at(-1)!.batch;
    expect(popupWindow.windowId).not.toBe(mine[0]![0]);
    expect(popupWindow.seq).toBe(0);
  });

  it('starts a new session after 30 minutes without activity, on the next page load', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    const first = await sessionOf(page);
    await page.goto(h.url({ init: quiet, before: AGE_SESSION(29) }));
    expect(await sessionOf(page)).toBe(first);
    await page.goto(h.url({ init: quiet, before: AGE_SESSION(31) }));
    const next = await sessionOf(page);
    expect(next).not.toBe(first);
    expect(await flush(page)).toBe('resolved');
    expect(h.received.filter((r) => r.batch.sessionId === next).map((r) => r.batch.seq)).toEqual([0]);
  });

  it('rolls the session over while the page stays open, with a full snapshot for the new one', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: quiet }));
    const first = await sessionOf(page);
    await page.getByTestId('buy').click();
    await page.evaluate(AGE_SESSION(31));
    // Storage is read again at most once a second.
    await page.waitForTimeout(1100);
    await page.locator('#counter').click();
    const next = await sessionOf(page);
    expect(next).not.toBe(first);
    expect(await flush(page)).toBe('resolved');

    const old = h.received.filter((r) => r.batch.sessionId === first).flatMap((r) => r.batch.events);
    const fresh = h.received.filter((r) => r.batch.sessionId === next);
    expect(fresh.map((r) => r.batch.seq)).toEqual([0]);
    const events = fresh[0]!.batch.events;
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual([4, 2]);
    const tags = events.filter((e) => e.type === 5).map((e) => (e.data as { tag: string }).tag);
    // The new visit's page view gets its own scroll depth, reported when the batch is flushed.
    expect(tags).toEqual(['loupe.pageview', 'loupe.click', 'loupe.scroll']);
    expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort((a, b) => a - b));
    // The old session kept its own click and nothing after the rollover.
    expect(old.some((e) => e.type === 5 && (e.data as { tag: string }).tag === 'loupe.click')).toBe(true);
    expect(JSON.stringify(old)).not.toContain('"selector":"#counter"');
  });
});
