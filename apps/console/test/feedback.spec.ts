import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@loupe/contracts/recording';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { root, startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const IPHONE = {
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  viewport: { width: 390, height: 780 },
  isMobile: true,
  hasTouch: true,
};
const COMMENT = 'The <b>coupon</b> field <img src=x onerror="window.__hacked=1"> rejects my code';
const EXPERIMENT = 'checkout-button';

type BuildSdk = (o: { root: string; outDir: string; quiet: boolean }) => Promise<unknown>;

/** A shop on its own origin, with the SDK from the Loupe server; `?variant=` makes the page report an experiment's variant. */
async function startShop(api: string, key: string) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const variant = url.searchParams.get('variant');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<style>body { font: 16px sans-serif; margin: 0 } h1 { color: rgb(200, 0, 0) } button { padding: 8px }</style></head>
<body><h1>Shop ${url.pathname}</h1><p><label>Coupon <input id="coupon"></label></p><button id="buy">Buy</button>
<div id="feedback-slot"></div>
<script src="${api}/sdk/loupe.js"></script>
<script>Loupe.init({ key: ${JSON.stringify(key)}, endpoint: ${JSON.stringify(api)}, maskAllInputs: false });
${variant ? `Loupe.exposure(${JSON.stringify(EXPERIMENT)}, ${JSON.stringify(variant)});` : ''}</script>
</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe.skipIf(!browserAvailable() && !isCI)('feedback from the widget to the inbox, the player and the CX numbers, in Chromium', () => {
  const sdkDir = mkdtempSync(join(tmpdir(), 'loupe-sdk-'));
  let api: TestApi;
  let base: string;
  let account: SeededAccount;
  let cookie: string;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  const surveys: Record<string, string> = {};
  const answered: Record<'a' | 'b', { sessionId: string }> = { a: { sessionId: '' }, b: { sessionId: '' } };

  async function call<T>(path: string, body?: unknown, method?: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { method: method ?? (body ? 'POST' : 'GET'), headers: { cookie, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async function visit(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const config = page.waitForResponse((r) => r.url().includes('/v1/config'));
    await page.goto(`${shop.url}${path}`);
    await config;
    // The SDK looks at its surveys as soon as the configuration is in; give it a moment to act on it.
    await page.waitForTimeout(300);
    return page;
  }
  const widgets = (page: Page) => page.locator('loupe-feedback').count();

  beforeAll(async () => {
    const { buildSdk } = (await import(new URL('../../../tools/build-sdk.mjs', import.meta.url).href)) as { buildSdk: BuildSdk };
    await buildSdk({ root, outDir: sdkDir, quiet: true });
    ({ api, base } = await startConsoleServer({ LOUPE_SDK_DIR: sdkDir }));
    account = await seedAccount(api);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) });
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const make = async (name: string, body: Record<string, unknown>) => {
      surveys[name] = (await call<{ survey: { id: string } }>(`/api/v1/surveys?project=${account.project.id}`, { name, status: 'running', ...body })).survey.id;
    };
    await make('Checkout NPS', { kind: 'nps', targeting: { urls: ['/checkout*'], devices: ['desktop'] } });
    await make('Order effort', { kind: 'ces', targeting: { urls: ['/thanks'], trigger: { type: 'event', event: 'order_placed' } } });
    await make('Nobody sees this', { kind: 'csat', targeting: { urls: ['/checkout*'], sampleRate: 0 } });
    await make('Help', { kind: 'comment', presentation: { mode: 'button', buttonLabel: 'Tell us', position: 'bottom-left' }, targeting: { urls: ['/help'] } });
    await make('Inline', { kind: 'csat', presentation: { mode: 'embedded', selector: '#feedback-slot' }, targeting: { urls: ['/receipt'] } });
    await make('After a second', { kind: 'ces', question: 'Was this page easy?', targeting: { urls: ['/delayed'], trigger: { type: 'delay', delaySeconds: 1 } } });
    await make('Third page', { kind: 'ces', question: 'Easy to find your way?', targeting: { urls: ['/browse*'], trigger: { type: 'pageviews', pageviews: 3 } } });
    await make('Leaving', { kind: 'comment', question: 'Why are you leaving?', targeting: { urls: ['/leave'], trigger: { type: 'exit' } } });
    shop = await startShop(base, account.project.publicKey);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await api?.close();
    rmSync(sdkDir, { recursive: true, force: true });
  });

  it('shows a survey only where its targeting says: page, device, sample and event', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const home = await visit(desktop, '/');
    expect(await widgets(home)).toBe(0);
    const thanks = await visit(desktop, '/thanks');
    expect(await widgets(thanks)).toBe(0);
    await thanks.evaluate(() => window.Loupe!.track('order_placed', {}));
    await thanks.getByRole('dialog', { name: 'How easy was it to do what you came here to do?' }).waitFor();
    await desktop.close();

    const phone = await browser.newContext(IPHONE);
    const mobileCheckout = await visit(phone, '/checkout');
    expect(await widgets(mobileCheckout)).toBe(0);
    await phone.close();

    const help = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const helpPage = await visit(help, '/help');
    const button = helpPage.getByRole('button', { name: 'Tell us' });
    await button.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.click();
    await helpPage.getByRole('textbox', { name: 'Anything you would like to tell us?' }).waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const receipt = await visit(help, '/receipt');
    await receipt.locator('#feedback-slot loupe-feedback').waitFor();
    expect(await receipt.getByRole('radio').count()).toBe(5);
    await help.close();
  });

  it('shows a survey after its delay, after some page views of the visit, and on exit intent', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const delayed = await visit(context, '/delayed');
    expect(await widgets(delayed)).toBe(0);
    await delayed.getByRole('dialog', { name: 'Was this page easy?' }).waitFor({ timeout: 5000 });

    // Page views count over the visit: a page load, another, then a single-page app's navigation.
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    expect(await widgets(await visit(visitor, '/browse/1'))).toBe(0);
    const browse = await visit(visitor, '/browse/2');
    expect(await widgets(browse)).toBe(0);
    await browse.evaluate(() => history.pushState({}, '', '/browse/3'));
    await browse.getByRole('dialog', { name: 'Easy to find your way?' }).waitFor();
    await visitor.close();

    const leave = await visit(context, '/leave');
    await leave.mouse.move(600, 300);
    expect(await widgets(leave)).toBe(0);
    await leave.evaluate(() => document.dispatchEvent(new MouseEvent('mouseout', { clientX: 600, clientY: -2, relatedTarget: null, bubbles: true })));
    await leave.getByRole('dialog', { name: 'Why are you leaving?' }).waitFor();
    await context.close();
  });

  it('opens a running survey from the page\'s code, whatever its targeting, and refuses an id that is not one', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await visit(context, '/');
    expect(await widgets(page)).toBe(0);
    expect(await page.evaluate((id) => window.Loupe!.feedback.open(id), surveys['Nobody sees this']!)).toBe(true);
    const dialog = page.getByRole('dialog', { name: 'How satisfied are you with your experience today?' });
    await dialog.waitFor();
    // Opened by the page's code, it takes the focus at once.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('LOUPE-FEEDBACK');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('loupe-feedback'));
    expect(await page.evaluate(() => window.Loupe!.feedback.open('00000000-0000-4000-8000-000000000000'))).toBe(false);
    await context.close();
  });

  it('takes an answer from the keyboard alone, with the variant the page reported, and leaves the page as it was', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await visit(context, '/checkout?variant=b');
    const dialog = page.getByRole('dialog', { name: 'How likely are you to recommend us to a friend or colleague?' });
    await dialog.waitFor();
    // Only one survey: the CSAT survey of the same page is sampled at 0%.
    expect(await widgets(page)).toBe(1);
    const h1 = await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);
    expect(h1).toBe('rgb(200, 0, 0)');

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('value'))).toBe('0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const comment = page.getByRole('textbox', { name: 'What disappointed you, or what was missing?' });
    await comment.waitFor();
    expect(await comment.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await page.keyboard.type(COMMENT);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Thank you for your feedback!' }).waitFor();
    answered.b.sessionId = await page.evaluate(async () => {
      await window.Loupe!.flush();
      return window.Loupe!.getSessionId()!;
    });

    // Escape closes; a reload does not bring it back (at most once per visitor per 30 days).
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('loupe-feedback'));
    const again = await visit(context, '/checkout');
    expect(await widgets(again)).toBe(0);
    await context.close();
  });

  it('keeps the widget out of the recording: no clicks, no typing, no text of it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await visit(context, '/checkout?variant=a');
    await page.getByRole('dialog').waitFor();
    await page.locator('#coupon').fill('SPRING');
    await page.locator('#buy').click();
    await page.getByRole('radio', { name: /^10/ }).click();
    await page.getByRole('textbox', { name: 'What do you like most?' }).fill('Secret words typed in the widget');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
    answered.a.sessionId = await page.evaluate(async () => {
      await window.Loupe!.flush();
      return window.Loupe!.getSessionId()!;
    });
    await context.close();

    const events = await call<RecordedEvent[]>(`/api/v1/sessions/${answered.a.sessionId}/export?project=${account.project.id}`);
    const json = JSON.stringify(events);
    expect(json).toContain('SPRING');
    expect(json).not.toContain('Secret words');
    expect(json).not.toContain('What do you like most');
    expect(json).not.toContain('How likely are you to recommend');
    // The page's own click is there; none of the widget's.
    const clicks = events.filter((e) => e.type === 5 && (e.data as { tag: string }).tag === 'loupe.click');
    expect(clicks.map((e) => (e.data as { payload: { selector: string } }).payload.selector)).toEqual(['#buy']);
    const interactions = events.filter((e) => e.type === 3 && (e.data as { source: number }).source === 2);
    expect(interactions.filter((e) => (e.data as { id: number }).id === -1)).toEqual([]);
  });

  it('lists both answers in the inbox, filtered by variant, with the comment as plain text', async () => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1400, height: 1000 } });
    await context.addCookies([{ name: 'loupe_session', value: cookie.split('=')[1]!, url: base }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const inbox = `/p/${account.project.id}/feedback`;
    await page.goto(`${inbox}?experiment=${EXPERIMENT}&variant=b`);
    await page.locator(`.inbox-results[data-query="experiment=${EXPERIMENT}&variant=b"][aria-busy="false"]`).waitFor();
    const cards = page.locator('article.answer');
    expect(await cards.count()).toBe(1);
    const b = cards.first();
    expect(await b.locator('.answer-comment p:not(.answer-question)').textContent()).toBe(COMMENT);
    expect(await b.locator('.answer-comment b, .answer-comment img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __hacked?: number }).__hacked)).toBeUndefined();
    expect(await b.getByText(`${EXPERIMENT}: b`).isVisible()).toBe(true);
    expect(await b.locator('.score').textContent()).toContain('2');

    await page.goto(`${inbox}?experiment=${EXPERIMENT}&variant=a`);
    await page.locator(`.inbox-results[data-query="experiment=${EXPERIMENT}&variant=a"][aria-busy="false"]`).waitFor();
    expect(await cards.count()).toBe(1);
    expect(await cards.first().locator('.answer-comment p:not(.answer-question)').textContent()).toBe('Secret words typed in the widget');

    mkdirSync(join(root, 'tmp'), { recursive: true });
    await page.goto(`${inbox}?experiment=${EXPERIMENT}&variant=b`);
    await page.locator(`.inbox-results[data-query="experiment=${EXPERIMENT}&variant=b"][aria-busy="false"]`).waitFor();
    await page.screenshot({ path: join(root, 'tmp/feedback-inbox.png'), fullPage: true });

    // The replay link opens the player at the moment of the answer, with the answer beside it and on the timeline.
    const replay = b.getByRole('link', { name: /Watch the replay at/ });
    const href = await replay.getAttribute('href');
    expect(href).toMatch(new RegExp(`/sessions/${answered.b.sessionId}\\?t=\\d+$`));
    await replay.click();
    await page.waitForURL(new RegExp(`/sessions/${answered.b.sessionId}\\?t=\\d+$`));
    const panel = page.getByRole('complementary', { name: 'Feedback in this session' });
    await panel.waitFor();
    expect(await panel.getByText(COMMENT).isVisible()).toBe(true);
    await page.locator('.timeline [data-kind="feedback"]').waitFor({ state: 'attached' });
    await page.screenshot({ path: join(root, 'tmp/feedback-player.png'), fullPage: true });
    await context.close();
  });

  it('shows the CX numbers on the Dashboard, per variant', async () => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1400, height: 1000 } });
    await context.addCookies([{ name: 'loupe_session', value: cookie.split('=')[1]!, url: base }]);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const kpi = (name: string) => page.locator(`[data-kpi="${name}"] .kpi-value`);
    const open = async (variant: string) => {
      await page.goto(`/p/${account.project.id}/dashboard?range=7d&interval=day&experiment=${EXPERIMENT}&variant=${variant}`);
      await page.locator(`.cx[aria-busy="false"][data-query*="variant=${variant}"]`).waitFor();
    };
    await open('b');
    expect(await kpi('nps').textContent()).toBe('−100');
    expect(await page.locator('[data-kpi="nps"]').textContent()).toContain('1 detractor');
    await page.screenshot({ path: join(root, 'tmp/feedback-dashboard.png'), fullPage: true });
    await open('a');
    expect(await kpi('nps').textContent()).toBe('+100');
    const figures = page.locator('figure').filter({ hasText: 'NPS' }).first();
    expect(await figures.locator('svg.recharts-surface').count()).toBeGreaterThan(0);

    const all = await call<{ nps: { n: number; score: number }; responses: { answers: number; shown: number } }>(
      `/api/v1/cx?project=${account.project.id}&from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}&kind=nps`,
    );
    expect(all.nps).toMatchObject({ n: 2, score: 0 });
    expect(all.responses.answers).toBe(2);
    expect(all.responses.shown).toBe(2);
    await context.close();
  });
});
