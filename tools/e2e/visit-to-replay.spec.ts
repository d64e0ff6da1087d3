import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@loupe/server';
import pg from 'pg';
import { browserAvailable, launchBrowser } from '../testing/browser';
import { isCI } from '../testing/services';
import { startLoupe, type LoupeProcess } from './loupe-process';

const TYPED_PASSWORD = 'hunter2-never-stored';
const TYPED_EMAIL = 'someone.private@example.org';
const TYPED_CARD = '4242424242424242';

/**
 * The whole path a newcomer takes: `npm start` on the embedded database, a visit to the demo
 * store in a real browser, then that visit in the API a moment later — with nothing typed into a
 * form reaching the database.
 */
describe.skipIf(!browserAvailable() && !isCI)('from a visit on the demo store to its replay', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  let loupe: LoupeProcess;
  let browser: Browser;
  let page: Page;
  let sessionId: string;
  let projectId: string;
  let cookie: string;

  beforeAll(async () => {
    loupe = await startLoupe(dataDir);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await loupe?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records a visit through several pages and flushes it', async () => {
    await page.goto(`${loupe.url}/demo`);
    await page.waitForFunction(() => typeof (window as unknown as { Loupe?: { getSessionId(): string } }).Loupe?.getSessionId === 'function');
    await page.click('[data-testid="product-lamp"] a');
    await page.waitForURL(/\/demo\/product\/lamp/);
    await page.click('[data-tab="reviews"]');
    await page.click('#add-to-cart');
    await page.waitForURL(/\/demo\/cart/);
    await page.fill('#email', TYPED_EMAIL);
    await page.fill('#card', TYPED_CARD);
    await page.click('#checkout');
    await page.goto(`${loupe.url}/demo/account`);
    await page.fill('#user', TYPED_EMAIL);
    await page.fill('#password', TYPED_PASSWORD);
    await page.click('button[type="submit"]');
    sessionId = await page.evaluate(async () => {
      const L = (window as unknown as { Loupe: { flush(): Promise<void>; getSessionId(): string } }).Loupe;
      await L.flush();
      return L.getSessionId();
    });
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('shows the visit in the API within seconds, with its pages and clicks', async () => {
    const login = await fetch(`${loupe.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@loupe.local', password: 'loupe-admin' }) });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const projects = (await (await fetch(`${loupe.url}/api/v1/projects`, { headers: { cookie } })).json()) as { projects: Array<{ id: string }> };
    projectId = projects.projects[0]!.id;
    let detail: { session: { processed: boolean; pageCount: number; clickCount: number; entryUrl: string }; events: Array<{ kind: string; url: string | null; name: string | null }> } | null = null;
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      const r = await fetch(`${loupe.url}/api/v1/sessions/${sessionId}?project=${projectId}`, { headers: { cookie } });
      if (r.status === 200) {
        detail = (await r.json()) as typeof detail;
        if (detail!.session.processed && detail!.session.pageCount >= 4) break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(detail, 'the session reached the API').not.toBeNull();
    expect(detail!.session.processed).toBe(true);
    expect(detail!.session.entryUrl).toBe(`${loupe.url}/demo`);
    const pages = detail!.events.filter((e) => e.kind === 'pageview').map((e) => new URL(e.url!).pathname + new URL(e.url!).search);
    expect(pages).toEqual(['/demo', '/demo/product/lamp', '/demo/product/lamp?tab=reviews', '/demo/cart', '/demo/account']);
    expect(detail!.session.clickCount).toBeGreaterThanOrEqual(5);
    expect(detail!.events.filter((e) => e.kind === 'custom').map((e) => e.name)).toEqual(['add_to_cart', 'purchase']);
  });

  it('plays the visit back in the console: the recorded page in the player, clicks on the timeline', async () => {
    const console = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await console.goto(`${loupe.url}/`);
    await console.fill('input[type="email"]', 'admin@loupe.local');
    await console.fill('input[type="password"]', 'loupe-admin');
    await console.click('button[type="submit"]');
    await console.waitForURL(/\/p\/[^/]+\/sessions/);
    await console.goto(`${loupe.url}/p/${projectId}/sessions/${sessionId}`);
    await console.waitForFunction(() => (window as unknown as { __loupePlayer?: { firstFrameAt?: number } }).__loupePlayer?.firstFrameAt != null, null, { timeout: 20_000 });
    const frame = await console.evaluate(() => {
      const iframe = document.querySelector<HTMLIFrameElement>('.player-frame iframe')!;
      return { sandbox: iframe.getAttribute('sandbox') ?? '', text: iframe.contentDocument?.body?.innerText ?? '' };
    });
    expect(frame.sandbox).not.toContain('allow-scripts');
    expect(frame.text).toContain('Loupe demo store');
    expect(await console.locator('.timeline [data-kind="click"]').count()).toBeGreaterThanOrEqual(5);
    const shot = await console.locator('.player-frame').screenshot({ path: 'tmp/e2e-player.png' });
    // Not blank: a rendered page has many distinct byte values in its PNG, a blank frame few.
    expect(new Set(shot.subarray(100)).size).toBeGreaterThan(200);
    await console.close();
  });

  it('never stores what was typed into the forms', async () => {
    expect(await loupe.stop()).toBe(0);
    const db = await startEmbeddedPostgres(dataDir);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const chunks = await client.query<{ encoding: string; body: Buffer }>('SELECT encoding, body FROM recording_chunk');
      expect(chunks.rows.length).toBeGreaterThan(0);
      const recorded = chunks.rows.map((c) => (c.encoding === 'br' ? brotliDecompressSync(c.body) : gunzipSync(c.body)).toString('utf8')).join('\n');
      expect(recorded).toContain('Add to cart');
      const events = JSON.stringify((await client.query('SELECT * FROM session_event')).rows);
      const sessions = JSON.stringify((await client.query('SELECT * FROM session')).rows);
      for (const secret of [TYPED_PASSWORD, TYPED_EMAIL, TYPED_CARD, '12 Quiet Lane']) {
        expect(recorded, `${secret} in a recording`).not.toContain(secret);
        expect(events, `${secret} in the events`).not.toContain(secret);
        expect(sessions, `${secret} in the sessions`).not.toContain(secret);
      }
    } finally {
      await client.end();
      await db.stop();
    }
  });
});
