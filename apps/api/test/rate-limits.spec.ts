import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, loginCookie, postBatch } from '../../../tools/testing/api-client';
import { databaseShapes, redisUrl } from '../../../tools/testing/databases';
import { batch, fixture, rebase } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type TestApi } from '../../../tools/testing/test-app';

const LIMITS = { LOUPE_RATE_LIMIT_API: '5', LOUPE_RATE_LIMIT_INGEST_KEY: '4', LOUPE_RATE_LIMIT_INGEST_CLIENT: '3' };

const shapes = databaseShapes();
const server = shapes.find((s) => s.name === 'server') ?? shapes[0]!;
const stores = [
  ...shapes.map((s) => ({ name: `PostgreSQL (${s.name})`, url: s.url, replicas: s.name === 'server' ? 2 : 1, env: {} as Record<string, string> })),
  { name: 'Redis', url: server.url, replicas: server.name === 'server' ? 2 : 1, env: { REDIS_URL: redisUrl() } as Record<string, string> },
];

describe.each(stores)('rate limits counted in $name', (store) => {
  // Two api replicas on one database and one queue: the counters must be theirs together.
  let one: TestApi;
  let two: TestApi;

  beforeAll(async () => {
    const env = { ...LIMITS, ...store.env, LOUPE_QUEUE_PREFIX: `rl${randomUUID().slice(0, 8)}`, LOUPE_INLINE_WORKER: 'false' };
    one = await startTestApi(store.url, env);
    // The embedded database belongs to one process: a second replica runs only on a server.
    two = store.replicas === 2 ? await startTestApi(store.url, env) : one;
  });
  afterAll(async () => {
    await one?.close();
    if (two && two !== one) await two.close();
  });

  it('answers 429 with Retry-After once a user has made their requests of the minute, across replicas, and leaves others alone', async () => {
    const account = await seedAccount(one);
    const cookie = await loginCookie(one, account);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request((i % 2 ? two : one).http).get('/api/v1/projects').set('cookie', cookie)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await request(two.http).get('/api/v1/projects').set('cookie', cookie);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.message).toMatch(/Too many requests to the API .* Try again in \d+ seconds/);

    const other = await seedAccount(one);
    expect((await request(one.http).get('/api/v1/projects').set('cookie', await loginCookie(one, other))).status).toBe(200);
  });

  it('counts an API key apart from the person who made it', async () => {
    const account = await seedAccount(one);
    const cookie = await loginCookie(one, account);
    const key = await apiKeyHeader(one, cookie, account.project.id, 'read');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(one.http).get(`/api/v1/sessions?project=${account.project.id}`).set('authorization', key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('limits ingest per client address and per project key, and never stores the address', async () => {
    const account = await seedAccount(one);
    const events = rebase(fixture('demoit-desktop-81s')).slice(0, 5);
    const address = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const fromOne = async () => (await postBatch(one, account.project.publicKey, batch(events)).set('x-forwarded-for', address)).status;
    expect([await fromOne(), await fromOne(), await fromOne(), await fromOne()]).toEqual([202, 202, 202, 429]);

    // Many addresses, one key: the key's limit.
    const another = await seedAccount(one);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await postBatch(one, another.project.publicKey, batch(events)).set('x-forwarded-for', `198.51.100.${10 + i}`)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    const refused = await postBatch(one, another.project.publicKey, batch(events)).set('x-forwarded-for', '198.51.100.99');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['access-control-expose-headers']).toMatch(/Retry-After/);

    if (!store.env.REDIS_URL) {
      const rows: Array<{ key: string }> = await one.platform.dataSource.query(`SELECT key FROM rate_limit`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((r) => r.key.includes(address) || r.key.includes('198.51.100.'))).toBe(false);
    }
  });
});
