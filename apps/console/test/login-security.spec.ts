import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { startConsoleServer } from '../../../tools/testing/console-build';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.skipIf(!browserAvailable() && !isCI)('password reset and forgery protection in Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let smtp: SMTPServer;
  let elsewhere: Server;
  let elsewhereUrl: string;
  const inbox: Array<{ to: string[]; text: string }> = [];
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  }

  async function logIn(page: Page, account: Pick<SeededAccount, 'email' | 'password'>) {
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
        stream.on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), text: raw.replace(/=\r?\n/g, '') });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    // Emailed links use the public URL; the test opens their path on the console it started.
    ({ api, base } = await startConsoleServer({ LOUPE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL: 'http://loupe.example.com' }));
    browser = await launchBrowser();

    // Another site on the same machine: same site as the console (same host), another origin (another port).
    elsewhere = createServer((req, res) => {
      const target = decodeURIComponent(new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '');
      res.setHeader('content-type', 'text/html');
      res.end(
        `<!doctype html><form id="f" method="POST" enctype="text/plain" action="${target}"><input name='{"role":"owner","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await new Promise<void>((resolve) => (elsewhere ? elsewhere.close(() => resolve()) : resolve()));
  });

  it('lets a person who forgot their password choose a new one from the emailed link, and logs them in', async () => {
    const account = await seedAccount(api);
    const page = await newPage();
    await logIn(page, { email: account.email, password: 'not-my-password' });
    await page.getByRole('alert').waitFor();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(account.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    expect(await page.getByRole('status').textContent()).toMatch(/a link to choose a new password is on its way/);

    await expect.poll(() => inbox.some((m) => m.to.includes(account.email)), { timeout: 10_000 }).toBe(true);
    const emailed = inbox.find((m) => m.to.includes(account.email))!.text.match(/http:\/\/loupe\.example\.com(\/reset-password\/[A-Za-z0-9_-]+)/);
    expect(emailed).toBeTruthy();
    const link = base + emailed![1];

    const fromEmail = await newPage();
    await fromEmail.goto(link);
    await fromEmail.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await fromEmail.getByText(account.email).isVisible()).toBe(true);
    await fromEmail.getByLabel('New password', { exact: true }).fill('my-new-password-1');
    await fromEmail.getByLabel('New password again').fill('my-new-password-2');
    await fromEmail.getByRole('button', { name: 'Save and log in' }).click();
    expect(await fromEmail.getByRole('alert').textContent()).toBe('The two passwords are not the same.');
    await fromEmail.getByLabel('New password again').fill('my-new-password-1');
    await fromEmail.getByRole('button', { name: 'Save and log in' }).click();
    await fromEmail.waitForURL(`**/p/${account.project.id}/sessions`);

    // The link worked once.
    await fromEmail.goto(link);
    expect(await fromEmail.getByRole('alert').textContent()).toMatch(/used already/);
    await fromEmail.getByRole('link', { name: 'Ask for a new link' }).waitFor();

    const later = await newPage();
    await logIn(later, { email: account.email, password: 'my-new-password-1' });
    await later.waitForURL(`**/p/${account.project.id}/sessions`);
    expect(pageErrors).toEqual([]);
  });

  it('refuses a form that another site makes a logged-in person submit, and creates nothing', async () => {
    const owner = await seedAccount(api);
    const page = await newPage();
    await logIn(page, owner);
    await page.waitForURL(`**/p/${owner.project.id}/sessions`);
    const invitations = `/api/v1/organizations/${owner.organizationId}/invitations`;

    const forged = page.waitForResponse((r) => r.url().endsWith(invitations) && r.request().method() === 'POST');
    await page.goto(`${elsewhereUrl}/?target=${encodeURIComponent(base + invitations)}`);
    const answer = await forged;
    expect(answer.status()).toBe(403);
    expect(((await answer.json()) as { message: string }).message).toMatch(/came from another site/);
    const [{ n }]: Array<{ n: number }> = await api.platform.dataSource.query('SELECT count(*)::int AS n FROM invitation WHERE organization_id = $1', [owner.organizationId]);
    expect(n).toBe(0);

    // The same request from the console itself goes through.
    await page.goto(`/p/${owner.project.id}/sessions`);
    const status = await page.evaluate(
      (url) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'viewer' }) }).then((r) => r.status),
      invitations,
    );
    expect(status).toBe(201);
  });
});
