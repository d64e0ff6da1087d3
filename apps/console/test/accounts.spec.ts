import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { batch, fixture, rebase } from '../../../tools/testing/recordings';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('Settings › Members, API keys, audit log and invitations in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let owner: SeededAccount;
  let ownerPage: Page;
  let sessionId: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  }

  const settingsNav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

  async function openSettings(page: Page, name: string) {
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Settings' }).click();
    await settingsNav(page).getByRole('link', { name, exact: true }).click();
    await heading(page, name === 'Project' ? 'Settings' : name).waitFor();
    expect(await settingsNav(page).getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
  }

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    owner = await seedAccount(api);
    browser = await launchBrowser();
    const recorded = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 40));
    expect((await postBatch(api, owner.project.publicKey, recorded)).status).toBe(202);
    const cookie = await loginCookie(api, owner);
    await waitProcessed(api, owner.project.id, cookie, recorded.sessionId);
    sessionId = recorded.sessionId;
    // Only the browser's logins count below, where changing the password says how many ended.
    expect((await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(204);

    ownerPage = await newPage();
    await ownerPage.goto('/login');
    await ownerPage.getByLabel('Email').fill(owner.email);
    await ownerPage.getByLabel('Password').fill(owner.password);
    await ownerPage.getByRole('button', { name: 'Log in' }).click();
    await ownerPage.waitForURL(`**/p/${owner.project.id}/sessions`);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await api?.close();
  });

  it('lets an owner invite a viewer by link, who makes an account, sees the sessions, and is offered nothing they may not do', async () => {
    const page = ownerPage;
    await openSettings(page, 'Members');
    const people = page.getByRole('region', { name: 'People' });
    await people.getByText(owner.email).waitFor();

    // The server's rules are the console's: the last owner stays one, and the page says why.
    await people.getByLabel('Role of Test user').selectOption('admin');
    await expect.poll(() => people.getByRole('alert').textContent()).toMatch(/last owner/);
    expect(await people.getByLabel('Role of Test user').inputValue()).toBe('owner');

    const invite = page.getByRole('region', { name: 'Invite someone' });
    await invite.getByLabel('Role').selectOption('viewer');
    await invite.getByLabel('Link works for').selectOption({ label: '1 day' });
    await invite.getByRole('button', { name: 'Create invitation link' }).click();
    const linkField = invite.getByRole('textbox', { name: 'Invitation link' });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${base}/invite/[A-Za-z0-9_-]{43}$`));
    expect(await invite.getByText(/Shown only now/).isVisible()).toBe(true);
    await invite.getByRole('button', { name: 'Copy link' }).waitFor();
    const invitations = page.getByRole('region', { name: 'Invitations' });
    await invitations.locator('tr[data-status="open"]').first().waitFor();

    // Someone else, in a browser that never logged in.
    const guest = await newPage();
    await guest.goto(link);
    await heading(guest, `Join Org ${owner.email}`).waitFor();
    expect(await guest.getByText(/as a viewer/).isVisible()).toBe(true);
    const viewerEmail = `viewer-${Date.now()}@test.loupe`;
    await guest.getByLabel('Your name').fill('Vera Viewer');
    await guest.getByLabel('Email').fill(viewerEmail);
    await guest.getByLabel('Password', { exact: true }).fill('a-good-long-password');
    await guest.getByLabel('Confirm the password').fill('not-the-same-password');
    await guest.getByRole('button', { name: /Create account and join/ }).click();
    await expect.poll(() => guest.getByRole('alert').textContent()).toMatch(/differ/);
    await guest.getByLabel('Confirm the password').fill('a-good-long-password');
    await guest.getByRole('button', { name: /Create account and join/ }).click();
    await guest.waitForURL(`**/p/${owner.project.id}/sessions`);
    await heading(guest, 'Sessions').waitFor();
    await guest.locator(`.sessions-table tbody tr[data-session-id="${sessionId}"]`).waitFor();
    expect(await guest.locator('.account-email').textContent()).toBe(viewerEmail);

    // The link worked once.
    const again = await newPage();
    await again.goto(link);
    await heading(again, 'This invitation cannot be used').waitFor();
    expect(await again.getByRole('alert').textContent()).toMatch(/used already/);

    // Settings as a viewer: read-only, and a sentence where there is nothing to see.
    await openSettings(guest, 'Project');
    const privacy = guest.getByRole('region', { name: 'Privacy and retention' });
    await privacy.getByText('Only admins and owners of the organization can change this.').waitFor();
    expect(await privacy.getByRole('button', { name: 'Save' }).count()).toBe(0);

    await openSettings(guest, 'Members');
    await guest.getByRole('region', { name: 'People' }).getByText(viewerEmail).waitFor();
    expect(await guest.getByRole('region', { name: 'People' }).getByText(owner.email).isVisible()).toBe(true);
    expect(await guest.getByRole('region', { name: 'People' }).getByRole('combobox').count()).toBe(0);
    expect(await guest.getByRole('button', { name: /Remove|Create invitation link|Withdraw|Rename/ }).count()).toBe(0);
    expect(await guest.getByText(/Only admins and owners of the organization can invite people/).isVisible()).toBe(true);

    await openSettings(guest, 'API keys');
    await guest.getByText(/Only admins and owners of the organization can see, create and revoke/).waitFor();
    expect(await guest.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    expect(await guest.getByLabel('Name', { exact: true }).count()).toBe(0);

    await openSettings(guest, 'Audit log');
    await guest.getByText('Only admins and owners of the organization can read its audit log.').waitFor();
    expect(await guest.locator('table').count()).toBe(0);

    await guest.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Funnels' }).click();
    await heading(guest, 'Funnels').waitFor();
    await guest.getByText('Members, admins and owners of the organization can create funnels.').waitFor();
    expect(await guest.getByRole('button', { name: 'New funnel' }).count()).toBe(0);

    // And the server agrees: a viewer's write is refused whatever the page offers.
    const write = await guest.evaluate(async (projectId) => {
      const res = await fetch(`/api/v1/projects/${projectId}/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ retention: { days: 1 } }) });
      return res.status;
    }, owner.project.id);
    expect(write).toBe(403);

    // The owner sees the new member, and the invitation as used.
    await page.reload();
    await page.getByRole('region', { name: 'People' }).getByText(viewerEmail).waitFor();
    expect(await page.getByRole('region', { name: 'People' }).getByLabel('Role of Vera Viewer').inputValue()).toBe('viewer');
    await page.getByRole('region', { name: 'Invitations' }).locator('tr[data-status="used"]').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('makes an API key whose secret, shown once, works with Bearer until it is revoked in the page', async () => {
    const page = ownerPage;
    await openSettings(page, 'API keys');
    const create = page.getByRole('region', { name: 'Create an API key' });
    await create.getByLabel('Name').fill('Nightly export');
    await create.getByRole('radio', { name: 'Read', exact: true }).check();
    expect(await create.getByText(/Reads what a viewer sees/).isVisible()).toBe(true);
    await create.getByRole('button', { name: 'Create API key' }).click();
    const secretField = create.getByLabel(/Secret of/);
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    expect(await create.getByText(/Shown only now/).isVisible()).toBe(true);
    expect(await create.locator('.snippet-code').textContent()).toContain(`curl -H "Authorization: Bearer ${secret}"`);

    const asKey = () => fetch(`${base}/api/v1/projects`, { headers: { authorization: `Bearer ${secret}` } });
    const allowed = await asKey();
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { projects: Array<{ id: string }> }).projects.map((p) => p.id)).toEqual([owner.project.id]);

    const row = page.locator(`tr[data-key="${secret.slice(0, 10)}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Nightly export');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke Nightly export' }).click();
    await row.getByText(/^Revoked/).waitFor();
    expect(await page.getByRole('region', { name: 'Create an API key' }).getByLabel(/Secret of/).count()).toBe(0);
    expect((await asKey()).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it("lists the organization's changes in words in the audit log, newest first", async () => {
    const page = ownerPage;
    await openSettings(page, 'Audit log');
    const rows = page.locator('.audit-table tbody tr');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2]?.textContent));
    expect(actions.slice(0, 4)).toEqual(['API key revoked', 'API key created', 'Invitation accepted', 'Invitation created']);
    const accepted = page.locator('.audit-table tbody tr[data-action="invitation.accepted"]');
    expect(await accepted.textContent()).toMatch(/viewer-.*@test\.loupe.*Joined as Viewer, with a new account/);
    expect(await page.locator('.audit-table tbody tr[data-action="api_key.created"]').textContent()).toContain('Key "Nightly export"');
    expect(pageErrors).toEqual([]);
  });

  it('renames the organization from the Members page', async () => {
    const page = ownerPage;
    await openSettings(page, 'Members');
    const panel = page.getByRole('region', { name: 'Organization' });
    await panel.getByLabel('Organization name').fill('Acme Retail');
    await panel.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Renamed to Acme Retail.');
    await openSettings(page, 'Audit log');
    await page.locator('.audit-table tbody tr[data-action="organization.renamed"]').getByText(/to “Acme Retail”/).waitFor();
    // Back on Members, the name is the server's, not the one the console loaded with.
    await openSettings(page, 'Members');
    await expect.poll(() => page.getByRole('region', { name: 'Organization' }).getByLabel('Organization name').inputValue()).toBe('Acme Retail');
  });

  it('sets where frustration alerts go and how sensitive they are, and explains a value it refuses without saving it', async () => {
    const page = ownerPage;
    await openSettings(page, 'Integrations');
    const alerts = page.getByRole('region', { name: 'Frustration alerts' });
    await expect.poll(() => alerts.getByLabel('Alert webhook URL').isEnabled()).toBe(true);
    await alerts.getByLabel('Alert webhook URL').fill('https://hooks.example.com/services/loupe');
    await alerts.getByLabel('JavaScript errors per page view').uncheck();
    await alerts.getByLabel('Alert at this many times the usual rate').fill('4');
    await alerts.getByLabel('Page views needed').fill('50');
    await alerts.getByRole('button', { name: 'Save alerts' }).click();
    await expect.poll(() => alerts.getByRole('status').textContent()).toBe('Saved. Pages are checked every 5 minutes.');
    const stored = async () => {
      const [row]: Array<{ settings: { alerts?: Record<string, unknown> } }> = await api.platform.dataSource.query('SELECT settings FROM project WHERE id = $1', [owner.project.id]);
      return row!.settings.alerts;
    };
    expect(await stored()).toMatchObject({ webhookUrl: 'https://hooks.example.com/services/loupe', metrics: ['rage_click_rate'], factor: 4, minViews: 50 });

    await alerts.getByLabel('Alert at this many times the usual rate').fill('0.5');
    await alerts.getByRole('button', { name: 'Save alerts' }).click();
    await expect.poll(() => alerts.getByRole('alert').textContent()).toContain('alerts.factor');
    expect(await stored()).toMatchObject({ factor: 4 });
    // Survey answers are forwarded from the same page.
    const forwarding = page.getByRole('region', { name: 'Forward answers to a webhook' });
    await expect.poll(() => forwarding.getByLabel('Webhook URL').isEnabled()).toBe(true);
    await forwarding.getByLabel('Webhook URL').fill('https://hooks.example.com/services/answers');
    await forwarding.getByLabel('What to forward').selectOption('detractors');
    await forwarding.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => forwarding.getByRole('status').textContent()).toBe('Saved.');
    const [row]: Array<{ settings: { integrations?: Record<string, unknown> } }> = await api.platform.dataSource.query('SELECT settings FROM project WHERE id = $1', [owner.project.id]);
    expect(row!.settings.integrations).toMatchObject({ webhookUrl: 'https://hooks.example.com/services/answers', forwardFeedback: 'detractors' });
  });

  it('changes the password, saying how many other logins ended, and logs out everywhere', async () => {
    const elsewhere = await newPage();
    await elsewhere.goto('/login');
    await elsewhere.getByLabel('Email').fill(owner.email);
    await elsewhere.getByLabel('Password').fill(owner.password);
    await elsewhere.getByRole('button', { name: 'Log in' }).click();
    await elsewhere.waitForURL(`**/p/${owner.project.id}/sessions`);

    const page = ownerPage;
    await openSettings(page, 'Your account');
    const form = page.getByRole('region', { name: 'Change your password' });
    await form.getByLabel('Current password').fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
    await form.getByLabel('Confirm the new password').fill('a-brand-new-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('The current password is not right.');
    await form.getByLabel('Current password').fill(owner.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Password changed. 1 other login ended: log in there again with the new password.');
    expect(await elsewhere.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status))).toBe(401);

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status))).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
