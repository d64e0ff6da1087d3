import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResults } from '@loupe/contracts';
import { assignVariant } from '@loupe/contracts/recording';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { root, startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const EXPERIMENT = 'cta-colour';
const VARIANTS = [
  { key: 'control', weight: 0.5 },
  { key: 'green', weight: 0.5 },
];

type BuildSdk = (o: { root: string; outDir: string; quiet: boolean }) => Promise<unknown>;

/**
 * A shop on its own origin that asks Loupe for the visitor's variant and paints its button with it;
 * `?buy=1` makes the visitor buy once the variant is known.
 */
async function startShop(api: string, key: string) {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><button id="buy">Buy</button>
<script src="${api}/sdk/loupe.js"></script>
<script>Loupe.init({ key: ${JSON.stringify(key)}, endpoint: ${JSON.stringify(api)} });
Loupe.getVariant(${JSON.stringify(EXPERIMENT)}).then(function (variant) {
  document.getElementById('buy').style.background = variant === 'green' ? 'green' : 'grey';
  if (location.search.indexOf('buy=1') >= 0) Loupe.track('purchase', { amount: 10 });
  return Loupe.flush().then(function () { document.body.dataset.variant = variant; });
});</script>
</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe.skipIf(!browserAvailable() && !isCI)('an experiment from Loupe.getVariant to its results and replays, in Chromium', () => {
  const sdkDir = mkdtempSync(join(tmpdir(), 'loupe-sdk-'));
  let api: TestApi;
  let base: string;
  let account: SeededAccount;
  let cookie: string;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  let experimentId: string;
  const visits: Array<{ variant: string; bought: boolean; sessionId: string }> = [];

  async function call<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, { method: body ? 'POST' : 'GET', headers: { cookie, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    const { buildSdk } = (await import(new URL('../../../tools/build-sdk.mjs', import.meta.url).href)) as { buildSdk: BuildSdk };
    await buildSdk({ root, outDir: sdkDir, quiet: true });
    ({ api, base } = await startConsoleServer({ LOUPE_SDK_DIR: sdkDir }));
    account = await seedAccount(api);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) });
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const created = await call<{ experiment: { id: string } }>(`/api/v1/experiments?project=${account.project.id}`, {
      key: EXPERIMENT,
      name: 'Green buy button',
      status: 'running',
      variants: VARIANTS,
      primaryMetric: { key: 'purchase', kind: 'conversion', event: 'purchase' },
    });
    experimentId = created.experiment.id;
    shop = await startShop(base, account.project.publicKey);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await api?.close();
    rmSync(sdkDir, { recursive: true, force: true });
  });

  it('assigns each visitor by the hash of key and visitor id, the same on every page', async () => {
    // New visitors (one browser context each) until both variants have buyers and non-buyers.
    for (let i = 0; i < 30 && (visits.length < 6 || new Set(visits.map((v) => `${v.variant}:${v.bought}`)).size < 4); i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const bought = i % 2 === 0;
      await page.goto(`${shop.url}/${bought ? '?buy=1' : ''}`);
      await page.waitForFunction(() => document.body.dataset.variant);
      const { variant, visitorId, sessionId } = await page.evaluate(() => ({ variant: document.body.dataset.variant!, visitorId: window.Loupe!.getVisitorId()!, sessionId: window.Loupe!.getSessionId()! }));
      expect(variant).toBe(assignVariant({ key: EXPERIMENT, variants: VARIANTS }, visitorId));
      expect(await page.evaluate(() => getComputedStyle(document.getElementById('buy')!).backgroundColor)).toBe(variant === 'green' ? 'rgb(0, 128, 0)' : 'rgb(128, 128, 128)');
      // A second page of the visit gets the same variant (the server keeps one exposure per visitor).
      await page.goto(`${shop.url}/again`);
      await page.waitForFunction(() => document.body.dataset.variant);
      expect(await page.evaluate(() => document.body.dataset.variant)).toBe(variant);
      visits.push({ variant, bought, sessionId });
      await context.close();
    }
    expect(new Set(visits.map((v) => v.variant))).toEqual(new Set(['control', 'green']));
  }, 240_000);

  it('shows the expected counts on the results page, and the replays of one variant only', async () => {
    const expected = VARIANTS.map((v) => ({
      variant: v.key,
      exposed: visits.filter((x) => x.variant === v.key).length,
      converted: visits.filter((x) => x.variant === v.key && x.bought).length,
    }));
    // The worker extracts exposures and events from the recordings; wait until it has them all.
    const deadline = Date.now() + 30_000;
    let results: ExperimentResults;
    for (;;) {
      results = await call<ExperimentResults>(`/api/v1/experiments/${experimentId}/results?project=${account.project.id}`);
      const figures = results.metrics[0]!.variants;
      if (expected.every((e, i) => figures[i]!.n === e.exposed && figures[i]!.sum === e.converted) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(results.exposures).toEqual(expected.map((e) => ({ variant: e.variant, visitors: e.exposed })));
    expect(results.metrics[0]!.variants.map((v) => ({ variant: v.variant, exposed: v.n, converted: v.sum }))).toEqual(expected);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sessions');

    await page.goto(`${base}/p/${account.project.id}/experiments`);
    const row = page.locator(`tr[data-experiment="${EXPERIMENT}"]`);
    await row.waitFor();
    expect(await row.locator('[data-cell="exposures"]').textContent()).toBe(String(visits.length));
    await row.getByRole('link', { name: 'Green buy button' }).click();

    const metric = page.locator('section[data-metric="purchase"]');
    await metric.waitFor();
    for (const e of expected) {
      const line = metric.locator(`tr[data-variant="${e.variant}"]`);
      expect(await line.locator('[data-cell="n"]').textContent()).toBe(String(e.exposed));
      expect(await line.locator('[data-cell="sum"]').textContent()).toBe(String(e.converted));
      expect(await line.locator('[data-cell="value"]').textContent()).toBe(`${((e.converted / e.exposed) * 100).toFixed(1)}%`);
    }
    // The forest plot and the plain-language reading of the comparison.
    expect(await metric.locator('.recharts-surface').count()).toBeGreaterThan(0);
    expect(await metric.locator('.explanations li').first().textContent()).toMatch(/green is .* against control/);

    await page.getByRole('link', { name: 'Watch replays of green' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/sessions') && url.searchParams.get('variant') === 'green');
    await page.locator('section[aria-label="Sessions"][data-query*="variant=green"]').waitFor();
    const shown = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-session-id]')].map((r) => r.dataset.sessionId!).sort());
    expect(shown).toEqual(
      visits
        .filter((v) => v.variant === 'green')
        .map((v) => v.sessionId)
        .sort(),
    );
    await context.close();
  }, 90_000);
});
