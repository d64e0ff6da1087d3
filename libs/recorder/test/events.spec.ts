import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { isCI } from '../../../tools/testing/services';
import { flush, useRecorderPages } from './harness';

describe.skipIf(!browserAvailable() && !isCI)("Loupe's own events, in Chromium", () => {
  const s = useRecorderPages(() => launchBrowser());

  it('records a page view on load and on each single-page-app navigation', async () => {
    const { page, h } = s;
    const first = h.url();
    await page.goto(first);
    await page.evaluate(() => history.pushState({}, '', '/next'));
    await page.evaluate(() => history.replaceState({}, '', '/next')); // same URL: not a navigation
    await page.locator('a[href="#two"]').click();
    await page.evaluate(() => history.back());
    await page.waitForURL('**/next');
    expect(await flush(page)).toBe('resolved');

    const views = h.custom('loupe.pageview');
    const origin = new URL(first).origin;
    expect(views.map((v) => [v.navigation, v.url])).toEqual([
      ['load', first],
      ['history', `${origin}/next`],
      ['history', `${origin}/next#two`],
      ['history', `${origin}/next`],
    ]);
    expect(views[0]).toMatchObject({ title: 'Loupe test shop', referrer: '', viewport: { width: 1280, height: 800 } });
    expect(views[1]!.referrer).toBe(first);
  });

  it('describes each click: a selector that finds the element again, page coordinates, box, viewport, document size, node id', async () => {
    const { page, h } = s;
    await page.goto(h.url());
    await page.getByTestId('buy').click();
    await page.locator('li:nth-of-type(2) > a').click();
    await page.locator('b').click();
    await page.locator('#far').click(); // scrolls the page first
    const scroll = await page.evaluate(() => ({ y: window.scrollY, height: document.documentElement.scrollHeight }));
    expect(scroll.y).toBeGreaterThan(1000);
    expect(await flush(page)).toBe('resolved');

    const clicks = h.custom('loupe.click');
    expect(clicks.map((c) => [c.selector, c.tag, c.text])).toEqual([
      ['[data-testid="buy"]', 'button', 'Buy now'],
      ['li:nth-of-type(2) > a', 'a', 'Two'],
      ['b', 'b', 'bold'],
      ['#far', 'button', 'Far below'],
    ]);
    // Each selector finds exactly the element that was clicked.
    for (const [i, text] of [[1, 'Two'], [2, 'bold']] as const) {
      const found = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent), clicks[i]!.selector);
      expect(found).toEqual([text]);
    }

    const far = clicks[3]!;
    const rect = await page.evaluate(() => {
      const r = document.getElementById('far')!.getBoundingClientRect();
      return { x: Math.round(r.left + scrollX), y: Math.round(r.top + scrollY), width: Math.round(r.width), height: Math.round(r.height) };
    });
    expect(far.box).toEqual(rect);
    expect(far.y).toBeGreaterThan(1800);
    expect(far.x).toBeGreaterThanOrEqual(far.box.x);
    expect(far.x).toBeLessThanOrEqual(far.box.x + far.box.width);
    expect(far.y).toBeGreaterThanOrEqual(far.box.y);
    expect(far.y).toBeLessThanOrEqual(far.box.y + far.box.height);
    expect(far.viewport).toEqual({ width: 1280, height: 800 });
    expect(far.document).toEqual({ width: 1280, height: scroll.height });
    expect(far.nodeId).toBeGreaterThan(0);
    expect(far.url).toBe(page.url());
    // The node id is rrweb's: the full snapshot holds the button under that id.
    const snapshot = h.events().find((e) => e.type === 2)!;
    expect(JSON.stringify(snapshot.data)).toContain(`"id":${far.nodeId}`);
  });

  it('reports a click from the keyboard at the centre of its element', async () => {
    const { page, h } = s;
    await page.goto(h.url());
    await page.getByTestId('buy').focus();
    await page.keyboard.press('Enter');
    expect(await flush(page)).toBe('resolved');
    const [click] = h.custom('loupe.click');
    // Box and point are each rounded to whole pixels.
    expect(Math.abs(click!.x - (click!.box.x + click!.box.width / 2))).toBeLessThanOrEqual(1);
    expect(Math.abs(click!.y - (click!.box.y + click!.box.height / 2))).toBeLessThanOrEqual(1);
  });

  it('takes a new full snapshot every checkoutEveryNms', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { checkoutEveryNms: 500 } }));
    await page.mouse.move(10, 10);
    await page.waitForTimeout(700);
    await page.mouse.move(200, 200);
    await page.locator('#counter').click();
    expect(await flush(page)).toBe('resolved');
    expect(h.events().filter((e) => e.type === 2).length).toBeGreaterThanOrEqual(2);
  });

  it('records uncaught errors, unhandled rejections and console errors and warnings, bounded', async () => {
    const { page, h } = s;
    await page.goto(h.url());
    await page.locator('#explode').click();
    await page.evaluate(() => {
      (window as unknown as { rejectLater(): void }).rejectLater();
      void Promise.reject({ code: 42 });
      console.error('console-error-marker', { detail: 1 });
      console.warn('console-warn-marker');
      console.log('console-log-marker');
      console.error('x'.repeat(50_000));
    });
    await h.waitFor('the errors', () => s.seen.errors.length >= 1);
    await page.waitForTimeout(100);
    expect(await flush(page)).toBe('resolved');

    const errors = h.custom('loupe.error');
    const thrown = errors.find((e) => e.kind === 'error');
    expect(thrown).toMatchObject({ message: expect.stringContaining('boom-uncaught'), source: expect.stringMatching(/\/app\.js$/), line: 1, column: expect.any(Number) });
    expect(thrown!.stack).toContain('explode');
    expect(thrown!.url).toBe(page.url());
    const rejections = errors.filter((e) => e.kind === 'unhandledrejection');
    expect(rejections.map((e) => e.message)).toEqual(expect.arrayContaining(['Error: boom-rejected', '{"code":42}']));
    expect(rejections.find((e) => e.message === 'Error: boom-rejected')!.stack).toContain('rejectLater');

    const logs = h.events().filter((e) => e.type === 6).map((e) => e.data as { plugin: string; payload: { level: string; payload: string[] } });
    expect(logs.every((l) => l.plugin === 'rrweb/console@1')).toBe(true);
    const text = (l: (typeof logs)[number]) => l.payload.payload.join(' ');
    expect(logs.find((l) => text(l).includes('console-error-marker'))?.payload.level).toBe('error');
    expect(logs.find((l) => text(l).includes('console-warn-marker'))?.payload.level).toBe('warn');
    expect(logs.some((l) => text(l).includes('console-log-marker'))).toBe(false);
    const long = logs.find((l) => text(l).includes('xxxx'))!;
    expect(text(long).length).toBeLessThan(1200);
  });

  it('records track, identify and exposure, and keeps only plain values in props', async () => {
    const { page, h } = s;
    await page.goto(h.url());
    await page.evaluate(() => {
      const L = window.Loupe!;
      L.track('signup', { plan: 'pro', seats: 3, yearly: true, coupon: null, nested: { a: 1 } as never, el: document.body as never });
      L.identify('user-42', { plan: 'pro' });
      L.exposure('checkout-test', 'B');
    });
    expect(await flush(page)).toBe('resolved');
    expect(h.custom('loupe.track')).toEqual([{ name: 'signup', props: { plan: 'pro', seats: 3, yearly: true, coupon: null } }]);
    expect(h.custom('loupe.identify')).toEqual([{ userId: 'user-42', traits: { plan: 'pro' } }]);
    expect(h.custom('loupe.exposure')).toEqual([{ experiment: 'checkout-test', variant: 'B' }]);
  });

  it('makes calls before init harmless, plays them after init, and ignores a second init', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: null }));
    const before = await page.evaluate(async () => {
      const L = window.Loupe!;
      L.track('early', { n: 1 });
      await L.flush();
      (L.init as (o: unknown) => void)({ endpoint: 'https://loupe.example.com' }); // no key: a warning, no throw
      return { session: L.getSessionId(), visitor: L.getVisitorId() };
    });
    expect(before).toEqual({ session: null, visitor: null });
    expect(s.seen.warnings).toEqual([expect.stringContaining('project key')]);

    await page.evaluate((endpoint) => {
      window.Loupe!.init({ key: 'pk_test', endpoint });
      window.Loupe!.init({ key: 'pk_other', endpoint });
    }, h.endpoint);
    expect(await flush(page)).toBe('resolved');
    expect(h.custom('loupe.pageview')).toHaveLength(1);
    expect(h.custom('loupe.track')).toEqual([{ name: 'early', props: { n: 1 } }]);
    expect(new Set(h.received.map((r) => r.batch.visitorId)).size).toBe(1);
    expect(h.received.every((r) => r.batch.events.length > 0)).toBe(true);
    expect(s.seen.errors).toEqual([]);
  });
});
