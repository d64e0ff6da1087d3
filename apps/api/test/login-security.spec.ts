import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyHeader, loginCookie } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('loupe_session='))?.split(';')[0];
/** A client address of its own per test: the limits count per address, in storage other test files share. */
const someAddress = () => `198.51.${randomInt(0, 255)}.${randomInt(1, 254)}`;

describe.each(databaseShapes())('login security on the $name database', (shape) => {
  let api: TestApi;
  let owner: SeededAccount;
  let cookie: string;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    owner = await seedAccount(api);
    cookie = await loginCookie(api, owner);
  });
  afterAll(() => api?.close());
  afterEach(() => vi.restoreAllMocks());

  const settingsUrl = () => `/api/v1/projects/${owner.project.id}/settings`;
  const allowedOrigins = async () => (await request(api.http).get(settingsUrl()).set('cookie', cookie)).body.settings.recording.allowedOrigins;

  describe('cross-site request forgery', () => {
    it("refuses a write with the console's cookie that a browser sends for another site, and changes nothing", async () => {
      const before = await allowedOrigins();
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: 'https://other.loupe.example.com' }, { origin: 'null' }]) {
        const res = await request(api.http).patch(settingsUrl()).set('cookie', cookie).set(headers).send({ recording: { allowedOrigins: ['https://evil.example'] } });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.body.message).toMatch(/came from another site.*API key/);
      }
      expect(await allowedOrigins()).toEqual(before);
      // Nor can another site log someone into its own account, or end their login.
      expect((await request(api.http).post('/api/v1/auth/login').set('origin', 'https://evil.example').send({ email: owner.email, password: owner.password })).status).toBe(403);
      expect((await request(api.http).post('/api/v1/auth/logout').set('cookie', cookie).set('sec-fetch-site', 'cross-site')).status).toBe(403);
      expect((await request(api.http).get('/api/v1/auth/me').set('cookie', cookie)).status).toBe(200);
    });

    it('lets the console write from its own origin, reads from anywhere, and scripts that send no browser headers', async () => {
      const sameOrigin = await request(api.http).patch(settingsUrl()).set('cookie', cookie).set('host', 'loupe.test:8080').set('origin', 'http://loupe.test:8080').send({ recording: { allowedOrigins: ['https://shop.example.com'] } });
      expect(sameOrigin.status, JSON.stringify(sameOrigin.body)).toBe(200);
      const fetchMetadata = await request(api.http).patch(settingsUrl()).set('cookie', cookie).set('sec-fetch-site', 'same-origin').set('origin', 'http://anything').send({ recording: { allowedOrigins: ['*'] } });
      expect(fetchMetadata.status).toBe(200);
      expect((await request(api.http).get(settingsUrl()).set('cookie', cookie).set('origin', 'https://evil.example')).status).toBe(200);
      expect((await request(api.http).patch(settingsUrl()).set('cookie', cookie).send({ recording: { allowedOrigins: ['*'] } })).status).toBe(200);
    });

    it('does not pin a plain-http installation to https', async () => {
    const res = await request(api.http).get('/api/v1/auth/me').set('cookie', cookie);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('lets an API key write from any origin: a browser never adds the header by itself', async () => {
      const key = await apiKeyHeader(api, cookie, owner.project.id, 'admin');
      const res = await request(api.http).patch(settingsUrl()).set('authorization', key).set('origin', 'https://tools.example.com').send({ recording: { allowedOrigins: ['*'] } });
      expect(res.status).toBe(200);
    });

    it('trusts the public URL even when a proxy changed the host', async () => {
      const behindProxy = await startTestApi(shape.url, { PUBLIC_URL: 'https://loupe.example.com' });
      try {
        const account = await seedAccount(behindProxy);
        const c = await loginCookie(behindProxy, account);
        const url = `/api/v1/projects/${account.project.id}/settings`;
        const body = { recording: { allowedOrigins: ['*'] } };
        expect((await request(behindProxy.http).patch(url).set('cookie', c).set('host', 'loupe-api:8080').set('origin', 'https://loupe.example.com').send(body)).status).toBe(200);
        expect((await request(behindProxy.http).patch(url).set('cookie', c).set('host', 'loupe-api:8080').set('origin', 'https://evil.example').send(body)).status).toBe(403);
        // Served over https: browsers are told to stay on https, and the cookie is Secure.
        const login = await request(behindProxy.http).post('/api/v1/auth/login').send({ email: account.email, password: account.password });
        expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
        expect(String(login.headers['set-cookie'])).toMatch(/loupe_session=[^;]+;.*Secure/i);
        expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly/i);
        expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Lax/i);
      } finally {
        await behindProxy.close();
      }
    });
  });

  describe('password reset without a mail server', () => {
    /** The reset link an administrator would read in the log. */
    function linkInLog(warn: ReturnType<typeof vi.spyOn>, email: string): string | undefined {
      const line = warn.mock.calls.map((c: unknown[]) => String(c[0])).find((m: string) => m.includes(email) && m.includes('/reset-password/'));
      return line?.match(/(https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+)/)?.[1];
    }
    const tokenOf = (link: string) => link.split('/reset-password/')[1]!;

    it('writes a one-time link to the log, which sets a new password and ends every login', async () => {
      const person = await seedAccount(api);
      const oldLogin = await loginCookie(api, person);
      const warn = vi.spyOn(Logger.prototype, 'warn');
      const asked = await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: person.email.toUpperCase() });
      expect(asked.status).toBe(202);
      expect(asked.body.message).toMatch(/If an account uses .* a link to choose a new password is on its way/);
      const link = linkInLog(warn, person.email);
      expect(link, 'the reset link is in the log').toBeTruthy();
      const token = tokenOf(link!);
      // Only a hash of the link's secret is stored.
      const stored: Array<{ token_hash: string }> = await api.platform.dataSource.query('SELECT token_hash FROM password_reset WHERE user_id = $1', [person.userId]);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.token_hash).not.toContain(token);

      const preview = await request(api.http).get(`/api/v1/auth/password-reset/${token}`);
      expect(preview.status).toBe(200);
      expect(preview.body.reset).toMatchObject({ email: person.email });

      const weak = await request(api.http).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.issues).toEqual([{ path: 'password', message: expect.stringContaining('at least 10') }]);

      const done = await request(api.http).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'a-brand-new-password' });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toEqual({ email: person.email, endedSessions: 1 });
      expect((await request(api.http).get('/api/v1/auth/me').set('cookie', oldLogin)).status).toBe(401);
      expect((await request(api.http).post('/api/v1/auth/login').send({ email: person.email, password: person.password })).status).toBe(401);
      const fresh = await request(api.http).post('/api/v1/auth/login').send({ email: person.email, password: 'a-brand-new-password' });
      expect(fresh.status).toBe(200);
      expect(cookieOf(fresh)).toBeTruthy();

      const again = await request(api.http).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'yet-another-password' });
      expect(again.status).toBe(410);
      expect(again.body.message).toMatch(/used already.*Ask for a new one/);
      expect((await request(api.http).post('/api/v1/auth/login').send({ email: person.email, password: 'a-brand-new-password' })).status).toBe(200);
    });

    it('answers an unknown address exactly as a known one, and sends nothing', async () => {
      const person = await seedAccount(api);
      const warn = vi.spyOn(Logger.prototype, 'warn');
      const known = await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: person.email });
      const unknownEmail = `nobody-${randomInt(1e9)}@test.loupe`;
      const unknown = await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: unknownEmail });
      expect(unknown.status).toBe(known.status);
      expect(unknown.body.message.replace(unknownEmail, 'X')).toBe(known.body.message.replace(person.email, 'X'));
      expect(linkInLog(warn, unknownEmail)).toBeUndefined();
      expect((await request(api.http).get('/api/v1/auth/password-reset/not-a-real-link-at-all-0000')).status).toBe(404);
    });

    it('keeps only the newest link working, and sends at most three an hour to one account', async () => {
      const person = await seedAccount(api);
      const warn = vi.spyOn(Logger.prototype, 'warn');
      const ask = () => request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: person.email });
      await ask();
      const first = tokenOf(linkInLog(warn, person.email)!);
      warn.mockClear();
      await ask();
      const second = tokenOf(linkInLog(warn, person.email)!);
      expect((await request(api.http).get(`/api/v1/auth/password-reset/${first}`)).status).toBe(410);
      expect((await request(api.http).get(`/api/v1/auth/password-reset/${second}`)).status).toBe(200);
      await ask();
      warn.mockClear();
      expect((await ask()).status).toBe(202);
      expect(linkInLog(warn, person.email)).toBeUndefined();
      const [{ n }]: Array<{ n: number }> = await api.platform.dataSource.query('SELECT count(*)::int AS n FROM password_reset WHERE user_id = $1', [person.userId]);
      expect(n).toBe(3);
    });

    it('refuses a link past its hour with 410, and a malformed address with 400', async () => {
      const person = await seedAccount(api);
      const warn = vi.spyOn(Logger.prototype, 'warn');
      await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: person.email });
      const token = tokenOf(linkInLog(warn, person.email)!);
      await api.platform.dataSource.query(`UPDATE password_reset SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [person.userId]);
      const late = await request(api.http).post(`/api/v1/auth/password-reset/${token}`).send({ password: 'a-brand-new-password' });
      expect(late.status).toBe(410);
      expect(late.body.message).toMatch(/expired/);
      expect((await request(api.http).post('/api/v1/auth/login').send({ email: person.email, password: person.password })).status).toBe(200);
      const bad = await request(api.http).post('/api/v1/auth/password-reset').send({ email: 'not an email' });
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe('email');
    });

    it('limits reset requests per client address with 429 and Retry-After', async () => {
      const address = someAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', address).send({ email: `someone-${i}@test.loupe` })).status);
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      const refused = await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', address).send({ email: 'someone@test.loupe' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).send({ email: 'someone@test.loupe' })).status).toBe(202);
    });
  });

  it('does not claim to email an invitation when there is no mail server', async () => {
    const made = await request(api.http).post(`/api/v1/organizations/${owner.organizationId}/invitations`).set('cookie', cookie).send({ email: 'someone-new@test.loupe', role: 'viewer' });
    expect(made.status).toBe(201);
    expect(made.body.emailed).toBe(false);
  });

  it('limits login attempts per client address, right or wrong, with 429', async () => {
    const limited = await startTestApi(shape.url, { LOUPE_RATE_LIMIT_LOGIN: '3' });
    try {
      const person = await seedAccount(limited);
      const address = someAddress();
      const attempt = (password: string, from = address) => request(limited.http).post('/api/v1/auth/login').set('x-forwarded-for', from).send({ email: person.email, password });
      expect([(await attempt('wrong-1')).status, (await attempt('wrong-2')).status, (await attempt(person.password)).status]).toEqual([401, 401, 200]);
      const fourth = await attempt(person.password);
      expect(fourth.status).toBe(429);
      expect(fourth.body.message).toMatch(/login attempts from this address/);
      expect((await attempt(person.password, someAddress())).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe.each(databaseShapes())('password reset by email on the $name database', (shape) => {
  let api: TestApi;
  let smtp: SMTPServer;
  const inbox: Array<{ to: string[]; raw: string }> = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
        stream.on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    api = await startTestApi(shape.url, { LOUPE_SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://loupe.example.com', LOUPE_MAIL_FROM: 'Loupe <loupe@example.com>' });
  });
  afterAll(async () => {
    await api?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  it('mails a link on the public URL through the SMTP server, and the link works', async () => {
    const person = await seedAccount(api);
    const asked = await request(api.http).post('/api/v1/auth/password-reset').set('x-forwarded-for', someAddress()).set('host', 'attacker.example').send({ email: person.email });
    expect(asked.status).toBe(202);
    await expect.poll(() => inbox.find((m) => m.to.includes(person.email)), { timeout: 10_000 }).toBeTruthy();
    const mail = inbox.find((m) => m.to.includes(person.email))!;
    // Quoted-printable may fold long lines.
    const text = mail.raw.replace(/=\r?\n/g, '');
    expect(text).toMatch(/^From: Loupe <loupe@example\.com>/m);
    expect(text).toMatch(/^Subject: Choose a new Loupe password/m);
    // The link points at the public URL, never at the Host the request claimed.
    const link = text.match(/https:\/\/loupe\.example\.com\/reset-password\/([A-Za-z0-9_-]+)/);
    expect(link, text).toBeTruthy();
    expect(text).not.toContain('attacker.example');
    const done = await request(api.http).post(`/api/v1/auth/password-reset/${link![1]}`).send({ password: 'chosen-by-email-link' });
    expect(done.status).toBe(200);
    expect((await request(api.http).post('/api/v1/auth/login').send({ email: person.email, password: 'chosen-by-email-link' })).status).toBe(200);
  });

  it('emails an invitation that names its person, from whoever made it, with the link on the public URL', async () => {
    const admin = await seedAccount(api);
    const cookie = await loginCookie(api, admin);
    const to = `invited-${randomInt(1e9)}@test.loupe`;
    const made = await request(api.http).post(`/api/v1/organizations/${admin.organizationId}/invitations`).set('cookie', cookie).send({ email: to, role: 'member' });
    expect(made.status).toBe(201);
    expect(made.body.emailed).toBe(true);
    await expect.poll(() => inbox.find((m) => m.to.includes(to)), { timeout: 10_000 }).toBeTruthy();
    // Quoted-printable folds long body lines, and long headers are folded onto indented lines.
    const text = inbox.find((m) => m.to.includes(to))!.raw.replace(/=\r?\n/g, '').replace(/\r?\n[ \t]+/g, ' ');
    expect(text).toMatch(/^Subject: Test user invites you to Org .* on Loupe/m);
    expect(text).toContain(`https://loupe.example.com/invite/${made.body.token}`);
    expect(text).toMatch(/as a member/);

    // Without an address there is no one to email: the admin passes the link on.
    const anonymous = await request(api.http).post(`/api/v1/organizations/${admin.organizationId}/invitations`).set('cookie', cookie).send({ role: 'viewer' });
    expect(anonymous.body.emailed).toBe(false);
  });
});
