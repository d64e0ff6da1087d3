import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('loupe_session='));

describe.each(databaseShapes())('accounts and projects on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
  });
  afterAll(() => api?.close());

  async function login(email = account.email, password = account.password) {
    const res = await request(api.http).post('/api/v1/auth/login').send({ email, password });
    return { res, cookie: cookieOf(res) };
  }

  it('logs in with the right password and sets an httpOnly session cookie', async () => {
    const { res, cookie } = await login();
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(account.email);
    expect(res.body.user.organizations).toEqual([{ id: account.organizationId, name: expect.any(String), role: 'owner' }]);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await request(api.http).get('/api/v1/auth/me').set('cookie', cookie!.split(';')[0]!);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(account.userId);
  });

  it('answers a wrong password and an unknown email alike: 401 and nothing about the account', async () => {
    const wrongPassword = await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: 'not-it' });
    const unknownEmail = await request(api.http).post('/api/v1/auth/login').send({ email: 'nobody-here@test.loupe', password: 'not-it' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.headers['set-cookie']).toBeUndefined();
  });

  it('slows down repeated failures with 429 and Retry-After, even for the right password', async () => {
    const victim = await seedAccount(api);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await request(api.http).post('/api/v1/auth/login').send({ email: victim.email, password: `guess-${i}` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
    const blocked = await request(api.http).post('/api/v1/auth/login').send({ email: victim.email, password: victim.password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.message).toMatch(/Try again in \d+ seconds/);
    // Another account is not affected by someone else's failures.
    expect((await login()).res.status).toBe(200);
  });

  it('rejects a malformed login with 400 naming each field', async () => {
    const res = await request(api.http).post('/api/v1/auth/login').send({ email: 'not-an-email', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { path: 'email', message: expect.stringContaining('email address') },
        { path: 'password', message: 'is required' },
        { path: '(body)', message: expect.stringContaining('extra') },
      ]),
    );
    const notJson = await request(api.http).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toMatch(/not valid JSON/);
  });

  it('logs out: the cookie no longer opens anything', async () => {
    const { cookie } = await login();
    const c = cookie!.split(';')[0]!;
    expect((await request(api.http).post('/api/v1/auth/logout').set('cookie', c)).status).toBe(204);
    expect((await request(api.http).get('/api/v1/projects').set('cookie', c)).status).toBe(401);
  });

  it('lists only the projects of the caller, with their public keys', async () => {
    const other = await seedAccount(api);
    const { cookie } = await login();
    const res = await request(api.http).get('/api/v1/projects').set('cookie', cookie!.split(';')[0]!);
    expect(res.status).toBe(200);
    expect(res.body.projects).toEqual([expect.objectContaining({ id: account.project.id, publicKey: account.project.publicKey, allowedOrigins: ['*'] })]);
    expect(JSON.stringify(res.body)).not.toContain(other.project.publicKey);
  });

  it('creates a project with a fresh public key', async () => {
    const { cookie } = await login();
    const c = cookie!.split(';')[0]!;
    const res = await request(api.http).post('/api/v1/projects').set('cookie', c).send({ name: 'Checkout', allowedOrigins: ['https://shop.example.com'] });
    expect(res.status).toBe(201);
    expect(res.body.project).toMatchObject({ name: 'Checkout', organizationId: account.organizationId, allowedOrigins: ['https://shop.example.com'] });
    expect(res.body.project.publicKey).toMatch(/^pk_[A-Za-z0-9_-]{20,}$/);
    const list = await request(api.http).get('/api/v1/projects').set('cookie', c);
    expect(list.body.projects.map((p: { name: string }) => p.name)).toEqual(['Test project', 'Checkout']);
  });

  it('refuses to create a project for a viewer, or without a name', async () => {
    const viewer = await seedAccount(api, 'viewer');
    const { cookie } = await login(viewer.email, viewer.password);
    const c = cookie!.split(';')[0]!;
    const forbidden = await request(api.http).post('/api/v1/projects').set('cookie', c).send({ name: 'Nope' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/owner or admin/);
    const { cookie: owner } = await login();
    const invalid = await request(api.http).post('/api/v1/projects').set('cookie', owner!.split(';')[0]!).send({ name: '  ' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues[0].path).toBe('name');
  });

  it("reads a project's settings with defaults, and lets only admins change the fields they name", async () => {
    const { cookie } = await login();
    const c = cookie!.split(';')[0]!;
    const path = `/api/v1/projects/${account.project.id}/settings`;
    const read = await request(api.http).get(path).set('cookie', c);
    expect(read.status).toBe(200);
    expect(read.body.settings.recording).toEqual({ allowedOrigins: ['*'] });

    const changed = await request(api.http).patch(path).set('cookie', c).send({ recording: { allowedOrigins: ['https://shop.example.com'] } });
    expect(changed.status).toBe(200);
    expect(changed.body.settings.recording.allowedOrigins).toEqual(['https://shop.example.com']);
    expect((await request(api.http).get(path).set('cookie', c)).body.settings.recording.allowedOrigins).toEqual(['https://shop.example.com']);

    const invalid = await request(api.http).patch(path).set('cookie', c).send({ recording: { allowedOrigins: ['ftp://x'] } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((i: { path: string }) => i.path)).toEqual(['recording.allowedOrigins.0']);
    const unknown = await request(api.http).patch(path).set('cookie', c).send({ nope: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues).toEqual([{ path: '(body)', message: 'has unknown field(s): nope' }]);
    // A refused change leaves what was stored.
    expect((await request(api.http).get(path).set('cookie', c)).body.settings.recording.allowedOrigins).toEqual(['https://shop.example.com']);

    const viewer = await seedAccount(api, 'viewer');
    const v = (await login(viewer.email, viewer.password)).cookie!.split(';')[0]!;
    const own = `/api/v1/projects/${viewer.project.id}/settings`;
    expect((await request(api.http).get(own).set('cookie', v)).status).toBe(200);
    const refused = await request(api.http).patch(own).set('cookie', v).send({ recording: { allowedOrigins: ['*'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin or owner/);
    // Another organization's project is not found, whatever the role.
    expect((await request(api.http).get(path).set('cookie', v)).status).toBe(404);
    expect((await request(api.http).get('/api/v1/projects/not-a-uuid/settings').set('cookie', c)).status).toBe(404);
  });

  it('needs a session for the API', async () => {
    const res = await request(api.http).get('/api/v1/projects');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('Log in') });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(api.http).get('/api/v1/no-such-thing').set('accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await request(api.http).post('/nothing-here')).status).toBe(404);
  });

  it('reports health with both parts named', async () => {
    const res = await request(api.http).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', queue: 'ok' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(api.http).get('/api/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/projects', '/healthz']));
  });
});
