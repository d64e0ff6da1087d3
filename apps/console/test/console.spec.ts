import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';
import { root, startConsoleServer } from '../../../tools/testing/console-build';

const SECTIONS = ['Sessions', 'Pages', 'Heatmaps', 'Funnels', 'Journeys', 'Experiments', 'Feedback', 'Dashboard', 'Settings'];

describe.skipIf(!browserAvailable() && !isCI)('the console in Chromium', () => {
  let api: TestApi;
  let account: SeededAccount;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const nav = () => page.getByRole('navigation', { name: 'Project sections' });
  const switcher = () => page.getByLabel('Project', { exact: true });
  const path = () => new URL(page.url()).pathname;

  async function logIn(p: Page, password = account.password) {
    await p.getByLabel('Email').fill(account.email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
  }

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    account = await seedAccount(api);
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('serves the console under a policy that forbids framing it and running scripts from elsewhere', async () => {
    const res = await page.goto('/login');
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
    await expect.poll(() => page.getByLabel('Email').count()).toBe(1);
  });

  it('sends a visitor without a session to the login page', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    await heading('Log in to Loupe').waitFor();
  });

  it("shows the API's message for a wrong password, and keeps the form usable", async () => {
    const expected = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody-${Date.now()}@test.loupe`, password: 'wrong' }),
    }).then((r) => r.json() as Promise<{ message: string }>);

    await logIn(page, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(expected.message);
    expect(await page.getByRole('button', { name: 'Log in' }).isEnabled()).toBe(true);
    expect(path()).toBe('/login');
  });

  it("logs in and lands on the Sessions page of the account's project, with its install snippet", async () => {
    await logIn(page);
    await page.waitForURL(`**/p/${account.project.id}/sessions`);
    await heading('Sessions').waitFor();
    const snippet = page.locator('.snippet-code');
    expect(await snippet.textContent()).toBe(
      `<script src="${base}/sdk/loupe.js"></script>\n<script>Loupe.init({ key: '${account.project.publicKey}', endpoint: '${base}' })</script>`,
    );
    await page.getByRole('button', { name: 'Copy snippet' }).waitFor();
    expect(await page.getByRole('banner').getByText(account.email).isVisible()).toBe(true);
    expect(await selectedOption(switcher())).toBe('Test project');

    mkdirSync(join(root, 'tmp'), { recursive: true });
    await page.screenshot({ path: join(root, 'tmp/console-sessions.png'), fullPage: true });
  });

  it('opens every section from the side navigation', async () => {
    for (const name of SECTIONS) {
      await nav().getByRole('link', { name, exact: true }).click();
      await heading(name).waitFor();
      expect(path()).toBe(`/p/${account.project.id}/${name.toLowerCase()}`);
      expect(await nav().getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
    }
  });

  it('keeps a deep link across a reload', async () => {
    await page.goto(`/p/${account.project.id}/funnels`);
    await heading('Funnels').waitFor();
    await page.reload();
    await heading('Funnels').waitFor();
    expect(path()).toBe(`/p/${account.project.id}/funnels`);
  });

  it('shows the project in Settings, creates another one and switches to it', async () => {
    await nav().getByRole('link', { name: 'Settings' }).click();
    await heading('Settings').waitFor();
    const details = page.getByRole('region', { name: 'This project' });
    expect(await details.getByText(account.project.publicKey).isVisible()).toBe(true);
    expect(await details.getByText('Any site (*)').isVisible()).toBe(true);

    await page.getByLabel('Project name').fill('Checkout site');
    await page.getByLabel(/Allowed origins/).fill('https://shop.example.com');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL((url) => /^\/p\/[^/]+\/sessions$/.test(url.pathname) && !url.pathname.includes(account.project.id));
    await heading('Sessions').waitFor();
    expect(await selectedOption(switcher())).toBe('Checkout site');
    expect(await switcher().locator('option').allTextContents()).toEqual(['Test project', 'Checkout site']);

    const { projects } = await page.evaluate(() => fetch('/api/v1/projects').then((r) => r.json()));
    const created = (projects as { id: string; name: string; publicKey: string; allowedOrigins: string[] }[]).find((p) => p.name === 'Checkout site')!;
    expect(path()).toBe(`/p/${created.id}/sessions`);
    expect(created.allowedOrigins).toEqual(['https://shop.example.com']);
    expect(await page.locator('.snippet-code').textContent()).toContain(created.publicKey);

    // The switcher keeps the section: back to the first project's sessions.
    await switcher().selectOption({ label: 'Test project' });
    await page.waitForURL(`**/p/${account.project.id}/sessions`);
    // And `/` reopens the project chosen last.
    await page.goto('/');
    await page.waitForURL(`**/p/${account.project.id}/sessions`);
  });

  it('logs out back to the login page, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await heading('Log in to Loupe').waitFor();
    const me = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
  });

  it('sends a person whose session ended to log in, then back to the page they were on', async () => {
    await page.goto(`/p/${account.project.id}/settings`);
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === `/p/${account.project.id}/settings`);
    await logIn(page);
    await page.waitForURL(`**/p/${account.project.id}/settings`);
    await heading('Settings').waitFor();

    await context.clearCookies();
    await page.getByLabel('Project name').fill('Never created');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === `/p/${account.project.id}/settings`);
    await heading('Log in to Loupe').waitFor();
  });

  it('works at 375 px wide without scrolling sideways', async () => {
    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 375, height: 740 });
      await phone.goto(`/p/${account.project.id}/sessions`);
      await logIn(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
      expect(await phone.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    } finally {
      await phone.close();
    }
  });

  it('raised no script errors along the way', () => {
    expect(pageErrors).toEqual([]);
  });

  it('broke no rule of its policy on any page above', () => {
    expect(cspViolations).toEqual([]);
  });
});

async function selectedOption(select: Locator): Promise<string> {
  return select.evaluate((el) => {
    const s = el as HTMLSelectElement;
    return s.options[s.selectedIndex]?.text ?? '';
  });
}
