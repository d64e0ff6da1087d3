import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { root, startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

type Loupe = { Loupe: { getSessionId(): string | null; flush(): Promise<void> } };

/**
 * Scripted visits through the demo storefront with known drop-offs: one buys, one leaves with a
 * full cart, two leave from a product page, one from the shop's front page. The Funnels page must
 * show 5, 4, 2 and 1, and a drop-off must open the replay of the visit that stopped there.
 */
describe.skipIf(!browserAvailable() && !isCI)('funnels in the console, from real visits to the demo store', () => {
  let api: TestApi;
  let base: string;
  let account: SeededAccount;
  let demoProject: string;
  let browser: Browser;
  let consoleContext: BrowserContext;
  let page: Page;
  const visits: Record<'bought' | 'cart' | 'product1' | 'product2' | 'home', string> = { bought: '', cart: '', product1: '', product2: '', home: '' };

  /** One visitor's visit: a fresh browser context, the pages in order, then everything sent. */
  async function visit(steps: (p: Page) => Promise<void>): Promise<string> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await context.newPage();
    p.setDefaultTimeout(15_000);

    try {
      await steps(p);
      await p.waitForFunction(() => (window as unknown as Loupe).Loupe?.getSessionId());
      const id = (await p.evaluate(() => (window as unknown as Loupe).Loupe.getSessionId()))!;
      await p.evaluate(() => (window as unknown as Loupe).Loupe.flush());
      return id;
    } finally {
      await context.close();
    }
  }
  const open = async (p: Page, path: string) => {
    await p.goto(`${base}${path}`);
    await p.waitForFunction(() => (window as unknown as Loupe).Loupe?.getSessionId());
    await p.waitForTimeout(400);
  };
  const addToCart = async (p: Page) => {
    await p.evaluate(() => (window as unknown as Loupe).Loupe.flush());
    await p.locator('#add-to-cart').click();
    await p.waitForURL('**/demo/cart');
    await p.waitForFunction(() => (window as unknown as Loupe).Loupe?.getSessionId());
    await p.waitForTimeout(400);
  };

  beforeAll(async () => {
    // The recorder as `node tools/build.mjs` built it, which the demo pages load.
    ({ api, base } = await startConsoleServer({ LOUPE_DEMO: 'true', LOUPE_SDK_DIR: join(root, 'dist/sdk') }));
    account = await seedAccount(api);
    // The demo store records into the instance's first project: let this account see it.
    const [first] = (await api.platform.dataSource.query('SELECT id, organization_id FROM project ORDER BY created_at LIMIT 1')) as Array<{ id: string; organization_id: string }>;
    demoProject = first!.id;
    await api.platform.dataSource.query("INSERT INTO membership (organization_id, user_id, role) VALUES ($1, $2, 'owner') ON CONFLICT DO NOTHING", [first!.organization_id, account.userId]);
    browser = await launchBrowser();

    visits.bought = await visit(async (p) => {
      await open(p, '/demo');
      await open(p, '/demo/product/lamp');
      await addToCart(p);
      await p.locator('#checkout').click();
      await p.getByText('Thank you!').waitFor();
    });
    visits.cart = await visit(async (p) => {
      await open(p, '/demo');
      await open(p, '/demo/product/mug');
      await addToCart(p);
    });
    visits.product1 = await visit(async (p) => {
      await open(p, '/demo');
      await open(p, '/demo/product/chair');
    });
    visits.product2 = await visit(async (p) => {
      await open(p, '/demo');
      await open(p, '/demo/product/rug');
    });
    visits.home = await visit((p) => open(p, '/demo'));

    consoleContext = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    page = await consoleContext.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sessions');
  }, 180_000);

  afterAll(async () => {
    await consoleContext?.close();
    await browser?.close();
    await api?.close();
  });

  it('builds a funnel with the step editor and shows how many reached each step', async () => {
    await page.goto(`/p/${demoProject}/funnels`);
    await page.getByRole('heading', { name: 'Funnels', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New funnel' }).click();
    const editor = page.getByRole('form', { name: 'New funnel' });
    await editor.getByLabel('Name').fill('Demo checkout');
    // The editor suggests the pages it has seen.
    await expect.poll(() => editor.getByTestId('Step 1 suggestions').locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), { timeout: 20_000 }).toContain('/demo');
    await editor.getByLabel('Step 1', { exact: true }).fill('/demo');
    await editor.getByLabel('Step 2', { exact: true }).fill('*/demo/product/*');
    await editor.getByRole('button', { name: 'Add a step' }).click();
    await editor.getByLabel('Step 3', { exact: true }).fill('/demo/cart');
    await editor.getByRole('button', { name: 'Add a step' }).click();
    await editor.getByLabel('Step 4 kind').selectOption('event');
    await editor.getByLabel('Step 4', { exact: true }).fill('purchase');
    await editor.getByRole('button', { name: 'Create funnel' }).click();

    // Visits are analysed within seconds of their last batch; the page looks again until they are.
    const entered = () => page.locator('.funnel-table tbody td.step-entered').allInnerTexts();
    const deadline = Date.now() + 60_000;
    while ((await entered().catch(() => [])).join(',') !== '5,4,2,1' && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      if ((await entered().catch(() => [])).join(',') !== '5,4,2,1') await page.reload();
    }
    expect(await entered()).toEqual(['5', '4', '2', '1']);
    expect(await page.locator('.funnel-chart svg .recharts-bar-rectangle').count()).toBeGreaterThan(0);
  }, 120_000);

  it('opens the sessions that dropped off, and the replay at the moment they stopped', async () => {
    await page.locator('tr[data-step="1"] .step-dropped').click();
    const drop = page.getByRole('region', { name: 'Dropped after step 2' });
    await drop.waitFor();
    const links = drop.locator('.drop-off-sessions a');
    expect((await links.evaluateAll((a) => a.map((x) => x.getAttribute('data-session')))).sort()).toEqual([visits.product1, visits.product2].sort());
    expect(await drop.getByText('Left the site').count()).toBe(1);
    const href = (await links.first().getAttribute('href'))!;
    const offset = Number(new URL(href, base).searchParams.get('t'));
    expect(offset).toBeGreaterThan(0);
    await links.first().click();
    await page.waitForURL('**/sessions/**');
    await page.getByRole('heading', { name: 'Session replay' }).waitFor();
    const sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect([visits.product1, visits.product2]).toContain(sessionId);
    expect(new URL(page.url()).searchParams.get('t')).toBe(String(offset));
  }, 60_000);

  it('shows the journeys from the front page', async () => {
    await page.goto(`/p/${demoProject}/journeys?page=%2Fdemo`);
    await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
    const rows = page.locator('.journeys-table tbody tr');
    await rows.first().waitFor();
    const first = await rows.first().innerText();
    expect(first).toContain('/demo');
    expect(first).toContain('5 sessions');
    expect(await page.locator('.journeys-chart svg').count()).toBe(1);
  }, 60_000);
});
