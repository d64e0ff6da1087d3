import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, signedInPage } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { newId } from '../../../tools/testing/recordings';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('Settings › Privacy and retention in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let owner: SeededAccount;
  const pageErrors: string[] = [];

  const signedIn = (account: SeededAccount) => signedInPage(browser, base, account, account.project.id, pageErrors);

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

  it("finds what is held about one person, hands it over as JSON, and erases it, leaving everyone else's visits", async () => {
    const visit = async (userId: string) => {
      const sessionId = newId();
      const at = new Date(Date.now() - 3600_000);
      await api.platform.dataSource.query(`INSERT INTO session (project_id, id, visitor_id, user_id, started_at, last_event_at) VALUES ($1, $2, $3, $4, $5, $5)`, [owner.project.id, sessionId, newId(), userId, at]);
      await api.platform.dataSource.query(
        `INSERT INTO page_view (project_id, session_id, idx, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, error_count)
         VALUES ($1, $2, 0, 'v', $3, 'https://shop.example.com/', '/', 1000, true, true, true, 0, 0)`,
        [owner.project.id, sessionId, at],
      );
      return sessionId;
    };
    const theirs = await visit('customer-7');
    const someoneElse = await visit('customer-8');
    const page = await signedIn(owner);
    await page.goto(`/p/${owner.project.id}/settings`);
    const panel = page.getByRole('region', { name: "A person's data" });
    await panel.getByLabel('User or visitor ID').fill('customer-7');
    await panel.getByRole('button', { name: 'Find' }).click();
    const held = panel.getByRole('region', { name: 'Data held about customer-7' });
    await held.getByText('1 session', { exact: true }).waitFor();
    expect(await held.getByText('1 page view', { exact: true }).isVisible()).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), held.getByRole('button', { name: 'Download as JSON' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { person: string; sessions: Array<{ id: string }> };
    expect(exported.person).toBe('customer-7');
    expect(exported.sessions.map((x) => x.id)).toEqual([theirs]);

    page.once('dialog', (d) => void d.accept());
    await held.getByRole('button', { name: 'Delete everything about customer-7' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Deleted 1 session, 1 page view about customer-7. The audit log records it.');
    const left: Array<{ id: string }> = await api.platform.dataSource.query('SELECT id FROM session WHERE project_id = $1 AND id = ANY($2)', [owner.project.id, [theirs, someoneElse]]);
    expect(left.map((r) => r.id)).toEqual([someoneElse]);

    await panel.getByRole('button', { name: 'Find' }).click();
    await panel.getByText('Nothing is held about customer-7 in this project.').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
