import type { RecordedEvent } from '@loupe/contracts/recording';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

/**
 * A page that tried to attack whoever replays it: every way a recorded DOM can carry script, each
 * of which would set `__pwned` on the console's window if it ran with the console's origin.
 */
function hostileRecording(start: number): RecordedEvent[] {
  let id = 1;
  const el = (tagName: string, attributes: Record<string, string> = {}, childNodes: unknown[] = []) => ({ type: 2, tagName, attributes, childNodes, id: id++ });
  const text = (textContent: string) => ({ type: 3, textContent, id: id++ });
  const attack = (n: number) => `try{parent.__pwned=${n}}catch(e){};try{top.__pwned=${n}}catch(e){};window.__pwned=${n}`;
  const img = el('img', { src: 'data:,x', onerror: attack(2) });
  const body = el('body', { onload: attack(1) }, [
    el('h1', {}, [text('Hostile page <script>parent.__pwned=9</script>')]),
    el('script', {}, [text(attack(3))]),
    el('script', { src: 'data:text/javascript,' + encodeURIComponent(attack(4)) }),
    img,
    el('a', { id: 'js-link', href: `javascript:${attack(5)}` }, [text('click me')]),
    el('iframe', { srcdoc: `<script>${attack(6)}</script>` }),
    el('svg', { onload: attack(7) }),
    el('form', { action: `javascript:${attack(8)}` }, [el('button', { id: 'submit' }, [text('send')])]),
    el('div', { style: 'width: 1000px; height: 600px; background: url("javascript:parent.__pwned=10")' }),
  ]);
  const bodyId = body.id;
  const doc = { type: 0, childNodes: [{ type: 1, name: 'html', publicId: '', systemId: '', id: id++ }, el('html', {}, [el('head', {}, [el('title', {}, [text('Hostile')])]), body])], id: id++ };
  const later = el('script', {}, [text(attack(11))]);
  return [
    { type: 4, timestamp: start, data: { href: `javascript:${attack(12)}//https://shop.example/`, width: 1200, height: 800 } },
    { type: 2, timestamp: start + 10, data: { node: doc, initialOffset: { top: 0, left: 0 } } },
    // Added later by a mutation, and an event handler set later on an element already there.
    { type: 3, timestamp: start + 500, data: { source: 0, adds: [{ parentId: bodyId, nextId: null, node: later }], removes: [], texts: [], attributes: [{ id: img.id, attributes: { onerror: attack(13), src: 'data:,y' } }] } },
    { type: 3, timestamp: start + 1000, data: { source: 2, type: 2, id: img.id, x: 10, y: 10 } },
    { type: 5, timestamp: start + 1500, data: { tag: 'loupe.track', payload: { name: '<img src=x onerror="parent.__pwned=14">', props: { html: '<script>parent.__pwned=15</script>' } } } },
    { type: 3, timestamp: start + 2000, data: { source: 1, positions: [{ x: 20, y: 20, id: bodyId, timeOffset: 0 }] } },
  ] as RecordedEvent[];
}

describe.skipIf(!browserAvailable() && !isCI)('a recorded page with scripts, replayed in the console', () => {
  let api: TestApi;
  let account: SeededAccount;
  let base: string;
  let browser: Browser;
  let page: Page;
  let sessionId: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    account = await seedAccount(api);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const imported = await fetch(`${base}/api/v1/sessions/import?project=${account.project.id}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(hostileRecording(Date.now() - 60_000)),
    });
    expect(imported.status).toBe(201);
    sessionId = ((await imported.json()) as { sessionId: string }).sessionId;
    const started = Date.now();
    for (;;) {
      const r = await fetch(`${base}/api/v1/sessions/${sessionId}?project=${account.project.id}`, { headers: { cookie } });
      if (r.status === 200 && ((await r.json()) as { session: { processed: boolean } }).session.processed) break;
      if (Date.now() - started > 60_000) throw new Error('the hostile recording was not processed in 60 s');
      await new Promise((res) => setTimeout(res, 500));
    }
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/p/${account.project.id}/sessions`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sessions');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null);

  it('plays it in a sandbox where none of its scripts or handlers run', async () => {
    await page.goto(`${base}/p/${account.project.id}/sessions/${sessionId}`);
    await page.waitForFunction(() => window.__loupePlayer?.firstFrameAt != null, null, { timeout: 20_000 });
    const frame = page.frameLocator('.player-frame iframe');
    // The recorded page is there, shown as it was…
    await expect.poll(() => frame.locator('h1').textContent()).toContain('Hostile page');
    const sandbox = await page.locator('.player-frame iframe').first().getAttribute('sandbox');
    expect(sandbox).not.toBeNull();
    expect(sandbox).not.toContain('allow-scripts');
    // …played to its end, through the mutation that adds a script and the handler set later…
    await page.evaluate(() => window.__loupePlayer!.seek(2500));
    await page.waitForTimeout(1000);
    // …and clicked, as a curious viewer would.
    await frame.locator('#js-link').click({ force: true, timeout: 3000 }).catch(() => undefined);
    await frame.locator('#submit').click({ force: true, timeout: 3000 }).catch(() => undefined);
    await page.waitForTimeout(500);
    expect(await pwned()).toBeNull();
    expect(dialogs).toEqual([]);
    // The console is still where it was, on its own origin.
    expect(new URL(page.url()).origin).toBe(base);
  });

  it('shows the recorded URL and custom event names as text, never as markup or a live javascript: link', async () => {
    await page.goto(`${base}/p/${account.project.id}/sessions`);
    const row = page.locator(`[data-session-id="${sessionId}"]`);
    await row.waitFor();
    await page.goto(`${base}/p/${account.project.id}/sessions/${sessionId}`);
    await page.waitForFunction(() => window.__loupePlayer?.firstFrameAt != null, null, { timeout: 20_000 });
    // Every link the console draws points to http(s) or to itself.
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.filter((h) => /^javascript:/i.test(h))).toEqual([]);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.goto(`${base}/p/${account.project.id}/pages`);
    await page.waitForTimeout(1500);
    // The Pages table links each page to its URL: a recorded javascript: URL must not become a live link.
    const pageLinks = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
    expect(pageLinks.filter((h) => /^\s*javascript:/i.test(h) && !/React has blocked/.test(h))).toEqual([]);
    for (const link of await page.locator('a', { hasText: 'Open the page' }).all()) await link.click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(500);
    expect(await pwned()).toBeNull();
    expect(dialogs).toEqual([]);
  });
});
