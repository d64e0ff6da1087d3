import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The test stands a small site up beside Loupe, on another origin, as a real site would be.
// eslint-disable-next-line @nx/enforce-module-boundaries
import Fastify, { type FastifyInstance } from 'fastify';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { root, startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

interface Detail {
  session: { id: string; processed: boolean; signalCounts: Record<string, number> };
  signals: Array<{ kind: string; ts: string; selector: string | null; url: string | null; details: Record<string, unknown> }>;
}

/** A shop page with what frustrates visitors: text that looks clickable, a button that does nothing, one that breaks. */
const SHOP = `<!doctype html><html><head><meta charset="utf-8"><title>Frustrating shop</title>
<style>body { font: 16px sans-serif; margin: 2rem } #banner { padding: 2rem; background: #fde; width: 20rem } button { margin: 1rem }</style></head>
<body><div id="banner">Summer sale: 50% off</div>
<button id="noop">Apply coupon</button>
<button id="broken" onclick="window.cart.total()">Pay now</button>
<script src="/loupe.js"></script><script>Loupe.init(__INIT__)</script></body></html>`;

describe.skipIf(!browserAvailable() && !isCI)('frustration signals from a real visit, in Chromium', () => {
  let api: TestApi;
  let base: string;
  let account: SeededAccount;
  let site: FastifyInstance;
  let siteUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sessionId: string;

  const apiGet = async <T,>(path: string, cookie: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    account = await seedAccount(api);
    const outDir = mkdtempSync(join(tmpdir(), 'loupe-sdk-'));
    const { buildSdk } = (await import(new URL('../../../tools/build-sdk.mjs', import.meta.url).href)) as { buildSdk: (o: object) => Promise<unknown> };
    await buildSdk({ root, outDir, quiet: true });
    const sdk = readFileSync(join(outDir, 'loupe.js'), 'utf8');
    rmSync(outDir, { recursive: true, force: true });
    site = Fastify();
    site.get('/loupe.js', async (_req, reply) => reply.type('text/javascript').send(sdk));
    site.get('/*', async (_req, reply) => reply.type('text/html').send(SHOP.replace('__INIT__', JSON.stringify({ key: account.project.publicKey, endpoint: base }))));
    await site.listen({ port: 0, host: '127.0.0.1' });
    siteUrl = `http://localhost:${(site.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await api?.close();
  });

  it('finds exactly the rage click, dead click, error click and u-turn of a visit, seconds after it is sent', async () => {
    await page.goto(`${siteUrl}/shop`);
    await page.waitForFunction(() => (window as unknown as { Loupe?: { getSessionId(): string | null } }).Loupe?.getSessionId());
    await page.waitForTimeout(300);
    // Four quick clicks on text that is not a link.
    for (let i = 0; i < 4; i++) await page.locator('#banner').click({ position: { x: 40 + i * 3, y: 30 } });
    await page.waitForTimeout(1500);
    // A button with no handler: nothing changes after it.
    await page.locator('#noop').click();
    await page.waitForTimeout(3000);
    // A button whose handler throws.
    await page.locator('#broken').click();
    await page.waitForTimeout(1500);
    // A page left for the one before it after two seconds.
    await page.evaluate(() => history.pushState({}, '', '/details'));
    await page.waitForTimeout(2000);
    await page.evaluate(() => history.back());
    await page.waitForURL('**/shop');
    await page.waitForTimeout(300);
    sessionId = (await page.evaluate(() => (window as unknown as { Loupe: { getSessionId(): string } }).Loupe.getSessionId()))!;
    await page.evaluate(() => (window as unknown as { Loupe: { flush(): Promise<void> } }).Loupe.flush());
    const flushed = Date.now();

    const cookie = await login();
    let detail: Detail;
    for (;;) {
      const d = await apiGet<Detail>(`/api/v1/sessions/${encodeURIComponent(sessionId)}?project=${account.project.id}`, cookie).catch(() => null);
      if (d?.session.processed && d.signals.length >= 4) {
        detail = d;
        break;
      }
      if (Date.now() - flushed > 20_000) throw new Error(`signals not found within 20 s: ${JSON.stringify(d?.signals)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(`  signals queryable ${Date.now() - flushed} ms after Loupe.flush() resolved\n`);
    expect(detail.signals.map((s) => [s.kind, s.selector ?? new URL(s.url ?? '').pathname])).toEqual([
      ['rage_click', '#banner'],
      ['dead_click', '#noop'],
      ['error_click', '#broken'],
      ['u_turn', '/details'],
    ]);
    expect(detail.signals[0]!.details).toMatchObject({ clicks: 4 });
    expect(detail.signals[2]!.details['message']).toMatch(/reading 'total'/);
    expect(detail.session.signalCounts).toEqual({ rage_click: 1, dead_click: 1, error_click: 1, u_turn: 1 });
  });

  async function login(): Promise<string> {
    const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) });
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('marks the signals on the player timeline and jumps from one to the next', async () => {
    const consolePage = await context.newPage();
    await consolePage.goto(`${base}/login`);
    await consolePage.getByLabel('Email').fill(account.email);
    await consolePage.getByLabel('Password').fill(account.password);
    await consolePage.getByRole('button', { name: 'Log in' }).click();
    await consolePage.waitForURL('**/sessions');
    await consolePage.goto(`${base}/p/${account.project.id}/sessions/${encodeURIComponent(sessionId)}`);
    await consolePage.locator('.marker-frustration').first().waitFor();
    expect(await consolePage.locator('.marker-frustration').count()).toBe(4);
    const header = consolePage.locator('.session-frustration');
    expect(await header.textContent()).toMatch(/1 rage click.*1 dead click.*1 error click.*1 u-turn/);
    const events = consolePage.locator('.event-item.kind-frustration .event-kind');
    expect(await events.allTextContents()).toEqual(['Rage click', 'Dead click', 'Error click', 'U-turn']);
    await consolePage.waitForFunction(() => window.__loupePlayer?.state().status !== 'loading');
    const offsets = await consolePage.evaluate(() => [...document.querySelectorAll<HTMLElement>('.marker-frustration')].map((m) => m.style.left));
    expect(offsets).toHaveLength(4);
    await consolePage.getByRole('button', { name: 'Next frustration' }).click();
    const first = await consolePage.evaluate(() => window.__loupePlayer!.state().time);
    await consolePage.keyboard.press('n');
    await consolePage.waitForFunction((t) => window.__loupePlayer!.state().time > t + 1000, first);
    const second = await consolePage.evaluate(() => window.__loupePlayer!.state().time);
    // The jumps land two seconds before the rage click and then the dead click, 1.5 s + 4 clicks apart;
    // each time is read a moment after its jump while the player plays on, so the gap read may be a
    // little shorter than the recorded one on a busy machine.
    expect(second - first).toBeGreaterThan(1200);
    expect(second - first).toBeLessThan(4000);
    await consolePage.close();
  });

  it('shows the page in the Pages view and opens the sessions that struggled there', async () => {
    const consolePage = await context.newPage();
    await consolePage.goto(`${base}/p/${account.project.id}/pages`);
    if (new URL(consolePage.url()).pathname === '/login') {
      await consolePage.getByLabel('Email').fill(account.email);
      await consolePage.getByLabel('Password').fill(account.password);
      await consolePage.getByRole('button', { name: 'Log in' }).click();
      await consolePage.waitForURL('**/pages');
    }
    const row = consolePage.locator('tr[data-page-key="/shop"]');
    await row.waitFor();
    expect(await row.locator('.signal-breakdown .badge').allTextContents()).toEqual(['1 rage click', '1 dead click', '1 error click']);
    expect(await consolePage.locator('tr[data-page-key="/details"] .signal-breakdown .badge').allTextContents()).toEqual(['1 u-turn']);
    await row.getByRole('link', { name: 'Sessions with frustration on /shop' }).click();
    await consolePage.waitForURL('**/sessions?*signalPage=%2Fshop*');
    await consolePage.locator(`tr[data-session-id="${sessionId}"]`).waitFor();
    expect(await consolePage.locator('.sessions-table tbody tr').count()).toBe(1);
    expect(await consolePage.locator('.filter-chips').textContent()).toContain('Frustrated on /shop');
    await consolePage.close();
  });
});
