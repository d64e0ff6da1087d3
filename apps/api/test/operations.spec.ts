import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes, redisUrl } from '../../../tools/testing/databases';
import { batch, fixture, gz, rebase } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const login = async (api: TestApi, account: SeededAccount) => {
  const res = await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: account.password });
  return ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
};

/** The value of one sample of a Prometheus text exposition, or undefined. */
const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
};

describe.each(databaseShapes())('operations on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
  });
  afterAll(() => api?.close());

  it('answers /metrics in Prometheus format with ingest, request latency, queue depth and database pool figures', async () => {
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 40));
    const body = gz(b);
    expect((await request(api.http).post(`/v1/ingest?key=${account.project.publicKey}`).set('content-type', 'application/octet-stream').send(body)).status).toBe(202);
    expect((await request(api.http).post('/v1/ingest?key=pk_unknown').set('content-type', 'application/octet-stream').send(body)).status).toBe(401);

    const res = await request(api.http).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'loupe_ingest_requests_total', { status: '202' })).toBe(1);
    expect(sample(res.text, 'loupe_ingest_requests_total', { status: '401' })).toBe(1);
    expect(sample(res.text, 'loupe_ingest_events_total')).toBe(40);
    expect(sample(res.text, 'loupe_ingest_received_bytes_total')).toBe(2 * body.length);
    expect(sample(res.text, 'loupe_http_request_duration_seconds_count', { method: 'POST', route: '/v1/ingest', status: '202' })).toBe(1);
    expect(sample(res.text, 'loupe_queue_jobs', { queue: 'recordings', state: 'failed' })).toBe(0);
    expect(sample(res.text, 'loupe_database_pool_max')).toBe(10);
    expect(sample(res.text, 'loupe_database_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  });

  it('refuses /metrics to a request that came through a proxy, and asks for the token when one is set', async () => {
    const proxied = await request(api.http).get('/metrics').set('x-forwarded-for', '203.0.113.9');
    expect(proxied.status).toBe(403);
    expect(proxied.body.message).toMatch(/LOUPE_METRICS_TOKEN/);

    const token = `metrics-${randomUUID()}`;
    const guarded = await startTestApi(shape.url, { LOUPE_METRICS_TOKEN: token, LOUPE_INLINE_WORKER: 'false' });
    try {
      const none = await request(guarded.http).get('/metrics');
      expect(none.status).toBe(401);
      expect(none.body.message).toBe('Metrics need the token set in LOUPE_METRICS_TOKEN: send it as `Authorization: Bearer <token>`.');
      expect((await request(guarded.http).get('/metrics').set('authorization', 'Bearer not-the-token')).status).toBe(401);
      const ok = await request(guarded.http).get('/metrics').set('authorization', `Bearer ${token}`).set('x-forwarded-for', '203.0.113.9');
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('loupe_http_request_duration_seconds');
    } finally {
      await guarded.close();
    }
  });

  it('returns the request id it was given, or a new one', async () => {
    const given = await request(api.http).get('/healthz').set('x-request-id', 'lb-0001');
    expect(given.headers['x-request-id']).toBe('lb-0001');
    const made = await request(api.http).get('/api/v1/no-such-route');
    expect(made.status).toBe(404);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

const queueShapes = [
  ...databaseShapes().map((db) => ({ name: `the queue in the ${db.name} database`, url: db.url, env: {} as Record<string, string> })),
  ...(redisUrl() ? [{ name: 'the queue in Redis', url: databaseShapes()[0]!.url, env: { REDIS_URL: redisUrl()! } }] : []),
];

describe.each(queueShapes)('the queue pages for instance administrators, $name', (shape) => {
  let api: TestApi;
  let admin: SeededAccount;
  let owner: SeededAccount;
  let adminCookie: string;
  let ownerCookie: string;
  let worker: { close(): Promise<unknown> } | undefined;

  beforeAll(async () => {
    // No inline worker: the test's own worker decides which jobs fail.
    api = await startTestApi(shape.url, { LOUPE_INLINE_WORKER: 'false', ...shape.env });
    [admin, owner] = [await seedAccount(api), await seedAccount(api)];
    // The documented way to make someone an instance administrator: in the database.
    await api.platform.dataSource.query('UPDATE app_user SET instance_admin = true WHERE email = $1', [admin.email]);
    [adminCookie, ownerCookie] = [await login(api, admin), await login(api, owner)];
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('shows every queue with its jobs counted by state', async () => {
    const res = await request(api.http).get('/api/v1/admin/queues').set('cookie', adminCookie);
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q: { name: string }) => q.name)).toEqual(['system', 'recordings', 'analysis', 'maintenance']);
    expect(res.body.queues[1]).toEqual({
      name: 'recordings',
      description: expect.stringMatching(/recorded chunk/),
      counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0, completed: 0 },
    });
  });

  it('keeps the queues from anyone else, an organization owner included', async () => {
    const res = await request(api.http).get('/api/v1/admin/queues').set('cookie', ownerCookie);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/Only administrators of this Loupe installation/);
    expect((await request(api.http).post('/api/v1/admin/queues/system/failed/retry').set('cookie', ownerCookie)).status).toBe(403);
    expect((await request(api.http).get('/api/v1/admin/queues')).status).toBe(401);
  });

  it('lists failed jobs with their error, retries one, then all, and they run again', async () => {
    const queue = api.platform.queue;
    const attempts = new Map<string, number>();
    // Each job fails on its first run and succeeds on the next, as after a fixed outage.
    const w = queue.createWorker(
      'system',
      async (job) => {
        const n = (attempts.get(job.id!) ?? 0) + 1;
        attempts.set(job.id!, n);
        if (n === 1) throw new Error(`the disk was full (job ${job.data.n})`);
        return { ok: true };
      },
      { concurrency: 1, lockMs: 30_000 },
    );
    worker = w;
    const q = queue.createQueue('system');
    for (const n of [1, 2, 3]) await q.add('system.ping', { n }, { jobId: `ping-${n}`, attempts: 1 });
    await waitFor(async () => (await q.getFailedCount()) === 3, 'three failed jobs');

    const list = await request(api.http).get('/api/v1/admin/queues/system/failed?limit=2').set('cookie', adminCookie);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.jobs).toHaveLength(2);
    expect(list.body.jobs[0]).toMatchObject({ name: 'system.ping', error: expect.stringMatching(/^the disk was full \(job \d\)$/), attempts: 1 });

    const one = await request(api.http).post('/api/v1/admin/queues/system/failed/ping-2/retry').set('cookie', adminCookie);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ retried: 1 });
    await waitFor(async () => (await q.getJobState('ping-2')) === 'completed', 'ping-2 completed after its retry');

    const again = await request(api.http).post('/api/v1/admin/queues/system/failed/ping-2/retry').set('cookie', adminCookie);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Job ping-2 is completed, not failed: only failed jobs can be retried.');

    const all = await request(api.http).post('/api/v1/admin/queues/system/failed/retry').set('cookie', adminCookie);
    expect(all.body).toEqual({ retried: 2 });
    await waitFor(async () => (await q.getJobCounts('completed')).completed === 3, 'every job completed');
    const counts = await request(api.http).get('/api/v1/admin/queues').set('cookie', adminCookie);
    expect(counts.body.queues[0].counts).toMatchObject({ failed: 0, completed: 3 });
    await q.close();
  });

  it('says which queues exist when asked for another, and refuses a bad page size', async () => {
    const res = await request(api.http).get('/api/v1/admin/queues/recording/failed').set('cookie', adminCookie);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('There is no queue named "recording". The queues are system, recordings, analysis, maintenance.');
    const bad = await request(api.http).get('/api/v1/admin/queues/system/failed?limit=1000').set('cookie', adminCookie);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/limit must be at most 100/);
    expect((await request(api.http).post('/api/v1/admin/queues/system/failed/nope/retry').set('cookie', adminCookie)).status).toBe(404);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
