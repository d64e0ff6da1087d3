import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('Settings › Privacy and retention in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let owner: SeededAccount;
  const pageErrors: string[] = [];

  async function signedIn(account: SeededAccount): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`**/p/${account.project.id}/sessions`);
    return page;
  }

  const storedSettings = async (projectId: string) => {
    const [row]: Array<{ settings: Record<string, unknown> }> = await api.platform.dataSource.query('SELECT settings FROM project WHERE id = $1', [projectId]);
    return row!.settings;
  };

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    owner = await seedAccount(api);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("lets an owner set the project's retention and masking, and explains a value it refuses without saving anything", async () => {
    const page = await signedIn(owner);
    await page.goto(`/p/${owner.project.id}/settings`);
    const panel = page.getByRole('region', { name: 'Privacy and retention' });
    const days = panel.getByLabel('Keep recordings for (days)');
    await expect.poll(() => days.inputValue()).toBe('90');

    await days.fill('30');
    await panel.getByLabel('More elements to mask (CSS selectors, one per line)').fill('.customer-name\n.order-address');
    await panel.getByLabel('Elements never recorded (CSS selectors, one per line)').fill('#chat');
    await panel.getByLabel('Do not record browsers that send Do Not Track or Global Privacy Control').check();
    expect(await panel.getByLabel("Keep each visit's country").isChecked()).toBe(false);
    await panel.getByLabel("Keep each visit's country").check();
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Saved. Pages pick the change up within a few minutes.');
    expect(await storedSettings(owner.project.id)).toMatchObject({
      retention: { days: 30 },
      privacy: { maskAllText: false, maskSelectors: ['.customer-name', '.order-address'], blockSelectors: ['#chat'], honorDoNotTrack: true, coarseLocation: true },
    });
    const config = await fetch(`${base}/v1/config?key=${owner.project.publicKey}`).then((r) => r.json());
    expect(config.privacy.maskSelectors).toEqual(['.customer-name', '.order-address']);

    await days.fill('0');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('retention.days must be at least 1 day');
    expect(await storedSettings(owner.project.id)).toMatchObject({ retention: { days: 30 } });
    expect(pageErrors).toEqual([]);
  });
});
