import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, signedInPage } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, seedMember, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('Settings › Signals and pages in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let owner: SeededAccount;
  const pageErrors: string[] = [];

  const signedIn = (account: { email: string; password: string }, projectId: string) =>
    signedInPage(browser, base, account, projectId, pageErrors, { width: 1280, height: 900 });

  async function openSignalSettings(page: Page) {
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Settings' }).click();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'Signals and pages', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Signals and pages', exact: true }).waitFor();
    return nav;
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

  it('lets an owner change thresholds, kept query parameters and rules, previews page keys, and refuses a value it explains', async () => {
    const page = await signedIn(owner, owner.project.id);
    const nav = await openSignalSettings(page);
    const links = await nav.getByRole('link').allTextContents();
    expect(links.slice(links.indexOf('Integrations'), links.indexOf('Integrations') + 2)).toEqual(['Integrations', 'Signals and pages']);

    const signals = page.getByRole('region', { name: 'Frustration signals' });
    const rage = signals.getByRole('group', { name: 'Rage click' });
    const minClicks = rage.getByLabel('Clicks in a burst (clicks)');
    await expect.poll(() => minClicks.inputValue()).toBe('3');
    expect(await rage.getByText('How many clicks one burst needs to be a rage click. Default 3 clicks.').isVisible()).toBe(true);
    expect(await signals.getByRole('group', { name: 'Thrashed cursor' }).getByLabel('Slowest swing (px/ms)').inputValue()).toBe('1');

    await minClicks.fill('4');
    await signals.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => signals.getByRole('status').textContent()).toBe('Saved. Sessions analysed from now on use these thresholds; signals found before keep theirs.');
    expect(await storedSettings(owner.project.id)).toMatchObject({ signals: { rageClick: { minClicks: 4, maxIntervalMs: 1000, radiusPx: 30 } } });

    const pages = page.getByRole('region', { name: 'Page keys' });
    const keepQuery = pages.getByLabel('Query parameters to keep (one per line)');
    await keepQuery.fill('tab\n\n variant ');
    await pages.getByRole('button', { name: 'Add rule' }).click();
    await pages.getByLabel('URL pattern of rule 1').fill('/product/*');
    await pages.getByLabel('Page name of rule 1').fill('/product/:slug');
    await pages.getByRole('button', { name: 'Add rule' }).click();
    await pages.getByLabel('URL pattern of rule 2').fill('/docs/**');
    await pages.getByLabel('Page name of rule 2').fill('/docs');

    // The preview follows the form before it is saved, with the function the server uses.
    const sample = pages.getByLabel('Try a URL');
    const key = pages.getByRole('status', { name: 'Page key' });
    await sample.fill('https://shop.example.com/product/blue-shirt?tab=reviews&utm_source=mail');
    await expect.poll(() => key.textContent()).toBe('/product/:slug?tab=reviews');
    await sample.fill('https://shop.example.com/orders/1234/items');
    await expect.poll(() => key.textContent()).toBe('/orders/:id/items');
    await sample.fill('https://shop.example.com/docs/install/linux');
    await expect.poll(() => key.textContent()).toBe('/docs');

    await pages.getByRole('button', { name: 'Remove rule 2' }).click();
    await expect.poll(() => key.textContent()).toBe('/docs/install/linux');
    await pages.getByRole('button', { name: 'Save' }).click();
    await pages.getByText('Saved. Sessions analysed from now on get these page keys; page views stored before keep theirs.').waitFor();
    expect(await storedSettings(owner.project.id)).toMatchObject({
      pages: { groupIds: true, keepQuery: ['tab', 'variant'], hashRoutes: true, includeHost: false, rules: [{ match: '/product/*', key: '/product/:slug' }] },
    });

    // Reloaded, the page shows what was stored.
    await page.reload();
    await expect.poll(() => minClicks.inputValue()).toBe('4');
    await expect.poll(() => keepQuery.inputValue()).toBe('tab\nvariant');
    expect(await pages.getByLabel('URL pattern of rule 1').inputValue()).toBe('/product/*');
    expect(await pages.getByLabel('URL pattern of rule 2').count()).toBe(0);

    // One click is not a burst: the server says which field and nothing is stored.
    await minClicks.fill('1');
    await rage.getByLabel('Farthest distance between clicks (px)').fill('45');
    await signals.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => signals.getByRole('alert').textContent()).toMatch(/signals\.rageClick\.minClicks .*2/);
    expect(await minClicks.getAttribute('aria-invalid')).toBe('true');
    expect(await storedSettings(owner.project.id)).toMatchObject({ signals: { rageClick: { minClicks: 4, radiusPx: 30 } } });

    // A rule that is not a path pattern is refused the same way.
    await pages.getByLabel('URL pattern of rule 1').fill('product/*');
    await pages.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => pages.getByRole('alert').textContent()).toContain('pages.rules.0.match must be a path pattern starting with /');
    expect(await storedSettings(owner.project.id)).toMatchObject({ pages: { rules: [{ match: '/product/*', key: '/product/:slug' }] } });

    // Reset fills in the defaults without saving them.
    await signals.getByRole('button', { name: 'Reset to defaults' }).click();
    expect(await minClicks.inputValue()).toBe('3');
    expect(await rage.getByLabel('Farthest distance between clicks (px)').inputValue()).toBe('30');
    expect(await signals.getByRole('status').textContent()).toBe('The defaults are filled in. Save to use them.');
    expect(await storedSettings(owner.project.id)).toMatchObject({ signals: { rageClick: { minClicks: 4 } } });

    // On a phone the thresholds stack and a rule's two boxes shrink rather than push the page sideways.
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows a viewer the values read-only, with no Save', async () => {
    const viewer = await seedMember(api, owner.organizationId, 'viewer');
    const page = await signedIn(viewer, owner.project.id);
    await openSignalSettings(page);
    const signals = page.getByRole('region', { name: 'Frustration signals' });
    const pages = page.getByRole('region', { name: 'Page keys' });
    const minClicks = signals.getByRole('group', { name: 'Rage click' }).getByLabel('Clicks in a burst (clicks)');
    await expect.poll(() => minClicks.inputValue()).toBe('4');
    expect(await minClicks.isDisabled()).toBe(true);
    expect(await signals.getByText('Only admins and owners of the organization can change these thresholds.').isVisible()).toBe(true);
    expect(await pages.getByText('Only admins and owners of the organization can change how pages are named.').isVisible()).toBe(true);
    expect(await pages.getByLabel('Query parameters to keep (one per line)').isDisabled()).toBe(true);
    expect(await pages.getByLabel('Replace ids in paths').isDisabled()).toBe(true);
    expect(await pages.getByLabel('URL pattern of rule 1').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /Save|Reset to defaults|Add rule|Remove/ }).count()).toBe(0);

    const numbers = signals.locator('input[type=number]');
    expect(await numbers.count()).toBe(15);
    for (const input of await numbers.all()) expect(await input.isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
