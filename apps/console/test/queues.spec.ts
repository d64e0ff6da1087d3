import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, signedInPage } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('Settings › Queues in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let admin: SeededAccount;
  let owner: SeededAccount;
  const pageErrors: string[] = [];
  const signedIn = (account: SeededAccount) => signedInPage(browser, base, account, account.project.id, pageErrors);

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    [admin, owner] = [await seedAccount(api), await seedAccount(api)];
    await api.platform.dataSource.query('UPDATE app_user SET instance_admin = true WHERE email = $1', [admin.email]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows an instance administrator the queues, a failed job with its error, and retries it', async () => {
    // A job nobody handles: the inline worker fails it at once, with the reason it gives.
    const queue = api.platform.queue.createQueue('system');
    await queue.add('no-such-job', {}, { jobId: 'orphan-1', attempts: 1 });
    for (let i = 0; i < 100 && (await queue.getJobState('orphan-1')) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
    await queue.close();

    const page = await signedIn(admin);
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('region', { name: 'This Loupe installation' }).getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL(`**/p/${admin.project.id}/settings/queues`);
    await page.getByRole('heading', { level: 1, name: 'Queues' }).waitFor();

    const rows = page.locator('.queue-table tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-queue')))).toEqual(['system', 'recordings', 'analysis', 'maintenance']);
    expect(await page.locator('tr[data-queue="system"] td[data-state="failed"]').textContent()).toBe('1');

    await page.getByRole('button', { name: 'Show failed (1)' }).click();
    const failed = page.getByRole('region', { name: 'Failed jobs in system' });
    await failed.getByText('no handler for job no-such-job').waitFor();
    await failed.getByRole('button', { name: 'Retry job orphan-1' }).click();
    expect(await failed.getByRole('status').textContent()).toBe('1 job is waiting to run again.');
    await page.context().close();
  });

  it('shows nothing of it to an organization owner who does not administer the installation', async () => {
    const page = await signedIn(owner);
    await page.goto(`/p/${owner.project.id}/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('region', { name: 'This project' }).waitFor();
    // The check is one request; give it time to answer before looking.
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('region', { name: 'This Loupe installation' }).count()).toBe(0);

    await page.goto(`/p/${owner.project.id}/settings/queues`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Only administrators of this Loupe installation can see its queues/);
    expect(await page.locator('.queue-table').count()).toBe(0);
    await page.context().close();
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
