import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The demo store is served beside Loupe, on another origin, as a real site would be.
// eslint-disable-next-line @nx/enforce-module-boundaries
import Fastify, { type FastifyInstance } from 'fastify';
import type { HeatmapResponse } from '@loupe/contracts';
// The demo store's own product page, exactly as Loupe serves it at /demo.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { productPage, PRODUCTS } from '@loupe/server';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { root, startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const PAGE_KEY = '/demo/product/lamp';
type Loupe = { getSessionId(): string | null; flush(): Promise<void> };

describe.skipIf(!browserAvailable() && !isCI)('heatmaps of real visits to the demo store, in Chromium', () => {
  let api: TestApi;
  let base: string;
  let account: SeededAccount;
  let site: FastifyInstance;
  let siteUrl: string;
  let browser: Browser;
  let cookie: string;
  /** Where the visits clicked the product's name, in page coordinates, per width. */
  const clicked: Record<'desktop' | 'mobile', { x: number; y: number; width: number }> = {} as never;
  const sessions: string[] = [];

  const apiGet = async <T,>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const heatmap = (query: string) => apiGet<HeatmapResponse>(`/api/v1/heatmaps?project=${account.project.id}&page=${encodeURIComponent(PAGE_KEY)}&${query}`);

  /**
   * One visit at a viewport width: clicks on the product's name `clicks` times at 30 px from its
   * left edge and 10 px down, then scrolls so the bottom of the window is at `depth` of the page.
   */
  async function visit(width: number, clicks: number, depth: number): Promise<{ x: number; y: number; documentWidth: number; reported: number }> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${siteUrl}/demo/product/lamp`);
    await page.waitForFunction(() => (window as unknown as { Loupe?: Loupe }).Loupe?.getSessionId());
    await page.waitForTimeout(300);
    for (let i = 0; i < clicks; i++) await page.locator('h1').click({ position: { x: 30, y: 10 } });
    const at = await page.evaluate(async (d) => {
      const r = document.querySelector('h1')!.getBoundingClientRect();
      const x = r.left + 30 + window.scrollX;
      const y = r.top + 10 + window.scrollY;
      const height = document.documentElement.scrollHeight;
      const target = Math.max(0, Math.round(d * height - window.innerHeight));
      window.scrollTo(0, target);
      await new Promise((ok) => setTimeout(ok, 100));
      return { x, y, documentWidth: document.documentElement.scrollWidth, reported: Math.min(1, (window.scrollY + window.innerHeight) / height) };
    }, depth);
    const id = await page.evaluate(async () => {
      const loupe = (window as unknown as { Loupe: Loupe }).Loupe;
      await loupe.flush();
      return loupe.getSessionId()!;
    });
    sessions.push(id);
    await context.close();
    return at;
  }

  async function waitAnalysed(expectedViews: number) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const totals = await Promise.all(['desktop', 'mobile'].map((d) => heatmap(`kind=scroll&device=${d}`).then((r) => r.total)));
      if (totals[0]! + totals[1]! >= expectedViews) return;
      if (Date.now() > deadline) throw new Error(`only ${totals.join(' + ')} page views analysed`);
      await new Promise((ok) => setTimeout(ok, 300));
    }
  }

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    account = await seedAccount(api);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const outDir = mkdtempSync(join(tmpdir(), 'loupe-sdk-'));
    const { buildSdk } = (await import(new URL('../../../tools/build-sdk.mjs', import.meta.url).href)) as { buildSdk: (o: object) => Promise<unknown> };
    await buildSdk({ root, outDir, quiet: true });
    const sdk = readFileSync(join(outDir, 'loupe.js'), 'utf8');
    rmSync(outDir, { recursive: true, force: true });
    site = Fastify();
    site.get('/loupe.js', async (_req, reply) => reply.type('text/javascript').send(sdk));
    site.get('/demo/product/lamp', async (_req, reply) =>
      reply.type('text/html').send(productPage(PRODUCTS[0]!, { key: account.project.publicKey, endpoint: base }).replace(`${base}/sdk/loupe.js`, '/loupe.js')),
    );
    await site.listen({ port: 0, host: '127.0.0.1' });
    siteUrl = `http://localhost:${(site.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();

    // Two desktop visits (one reads to the end, one stays above the fold) and two on a phone (half, all).
    const d1 = await visit(1280, 3, 1);
    await visit(1280, 1, 0);
    const m1 = await visit(390, 2, 0.5);
    await visit(390, 1, 1);
    clicked.desktop = { x: d1.x, y: d1.y, width: d1.documentWidth };
    clicked.mobile = { x: m1.x, y: m1.y, width: m1.documentWidth };
    await waitAnalysed(4);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await api?.close();
  });

  it('puts the click hotspot on the clicked element at both widths', async () => {
    for (const [device, clicks] of [['desktop', 4], ['mobile', 3]] as const) {
      const map = await heatmap(`kind=click&device=${device}`);
      expect(map.total).toBe(clicks);
      const hottest = [...map.cells].sort((a, b) => b.count - a.count)[0]!;
      expect(hottest.count).toBe(clicks);
      expect(hottest.gx).toBe(Math.floor((clicked[device].x / clicked[device].width) * 100));
      expect(hottest.gy).toBe(Math.floor(clicked[device].y / 10));
      expect(map.elements).toHaveLength(1);
      expect(map.elements![0]!.clicks).toBe(clicks);
      // The selector finds the product's name again in the page.
      expect(map.elements![0]!.selector).toMatch(/h1/);
    }
  });

  it('gives the known share of page views at each depth on each width', async () => {
    const desktop = await heatmap('kind=scroll&device=desktop');
    expect(desktop.total).toBe(2);
    expect(desktop.reach![0]).toBe(1);
    expect(desktop.reach![100]).toBe(0.5);
    const mobile = await heatmap('kind=scroll&device=mobile');
    expect(mobile.total).toBe(2);
    expect(mobile.reach![45]).toBe(1);
    expect(mobile.reach![60]).toBe(0.5);
    expect(mobile.reach![100]).toBe(0.5);
  });

  it('draws the click layer over the rebuilt page, hot where the clicks were', async () => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1600, height: 1000 } });
    await context.addCookies(cookie.split('; ').map((c) => ({ name: c.split('=')[0]!, value: c.slice(c.indexOf('=') + 1), url: base })));
    const page: Page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`/p/${account.project.id}/heatmaps?page=${encodeURIComponent(PAGE_KEY)}&device=desktop&kind=click`);
    const panel = page.locator('section.heatmap-panel[data-drawn="true"]');
    await panel.waitFor();
    // The background is the recorded page, in a frame that may not run scripts.
    const frame = page.locator('.heatmap-frame iframe');
    expect(await frame.getAttribute('sandbox')).not.toContain('allow-scripts');
    expect(await page.frameLocator('.heatmap-frame iframe').locator('h1').textContent()).toBe(PRODUCTS[0]!.name);

    const layer = page.locator('canvas.heatmap-layer');
    const hot = await layer.evaluate((c: HTMLCanvasElement, at) => {
      const ctx = c.getContext('2d')!;
      const alpha = (x: number, y: number) => ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data[3]!;
      // The hottest pixel within 20 px of where the clicks were: cells are drawn at their centres.
      const around = ctx.getImageData(Math.round(at.x) - 20, Math.round(at.y) - 20, 41, 41).data;
      let hottest = 0;
      for (let i = 3; i < around.length; i += 4) hottest = Math.max(hottest, around[i]!);
      return { atClick: hottest, farAway: alpha(c.width - 5, c.height - 5), width: c.width };
    }, clicked.desktop);
    expect(hot.width).toBe(1280);
    expect(hot.atClick).toBeGreaterThan(200);
    expect(hot.farAway).toBe(0);

    // On screen: the layer changes the pixels where the clicks were.
    await layer.evaluate((c: HTMLCanvasElement) => c.scrollIntoView({ block: 'start' }));
    const box = (await layer.boundingBox())!;
    const scale = box.width / 1280;
    const clip = { x: box.x + clicked.desktop.x * scale - 10, y: box.y + clicked.desktop.y * scale - 10, width: 20, height: 20 };
    const withLayer = await page.screenshot({ clip });
    await layer.evaluate((c: HTMLCanvasElement) => (c.style.visibility = 'hidden'));
    const without = await page.screenshot({ clip });
    await layer.evaluate((c: HTMLCanvasElement) => (c.style.visibility = ''));
    expect(Buffer.compare(withLayer, without)).not.toBe(0);
    const shots = mkdtempSync(join(tmpdir(), 'loupe-heatmap-'));
    writeFileSync(join(shots, 'heatmap.png'), await page.screenshot({ fullPage: true }));

    // The scroll map and the export work on the same page.
    await page.getByLabel('Map', { exact: true }).selectOption('scroll');
    await page.locator('section.heatmap-panel[data-kind="scroll"][data-drawn="true"]').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export PNG' }).click();
    const file = await (await download).path();
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    rmSync(shots, { recursive: true, force: true });
    await context.close();
  });
});
