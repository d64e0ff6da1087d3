import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../testing/browser';
import { databaseShapes, redisUrl, serverDatabaseUrl } from '../testing/databases';
import { seedAccount, startTestApi } from '../testing/test-app';
import { isCI } from '../testing/services';
import {
  clusterEnv,
  defaultProject,
  duplicatedEvents,
  ensureBuilt,
  freshDatabase,
  inParallel,
  login,
  postBatch,
  prepareVisits,
  query,
  startApi,
  startWorker,
  unprocessed,
  waitUntil,
} from './cluster';
import { freePort, storedChunks, ThrowawayPostgres, ThrowawayRedis, timesStored } from './faults';

const server = serverDatabaseUrl();
const redis = redisUrl();
const canRun = (server && redis && ThrowawayRedis.available() && ThrowawayPostgres.available() && browserAvailable()) || isCI;

type LoupeWindow = { Loupe: { track(name: string): void; flush(): Promise<void>; getSessionId(): string } };
const track = (page: Page, name: string) => page.evaluate((n) => (window as unknown as LoupeWindow).Loupe.track(n), name);
const flush = (page: Page) => page.evaluate(() => (window as unknown as LoupeWindow).Loupe.flush().then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));

/** A shop page of the api's origin (the demo store is only on the embedded database) recording with the SDK the api serves. */
async function openShop(page: Page, apiUrl: string, key: string): Promise<void> {
  await page.route(`${apiUrl}/test-shop`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1><a data-testid="product-lamp" href="#lamp"><span>Lamp</span></a>
<script src="${apiUrl}/sdk/loupe.js"></script><script>Loupe.init(${JSON.stringify({ key, endpoint: apiUrl, retry: { baseDelayMs: 500, maxDelayMs: 5000 } })});</script></body></html>`,
    }),
  );
  await page.goto(`${apiUrl}/test-shop`);
  await page.waitForFunction(() => typeof (window as unknown as Partial<LoupeWindow>).Loupe?.getSessionId === 'function');
}

/** Each chunk's typed events number exactly its events: a job run twice would leave more. */
async function expectEachChunkOnce(databaseUrl: string): Promise<void> {
  expect(await duplicatedEvents(databaseUrl)).toEqual([]);
  const counts = await query<{ session_id: string; events: number; chunks: number; chunk_count: number }>(
    databaseUrl,
    `SELECT s.id AS session_id, s.event_count AS events, s.chunk_count, (SELECT sum(event_count)::int FROM recording_chunk c WHERE c.project_id = s.project_id AND c.session_id = s.id) AS chunks FROM session s`,
  );
  for (const c of counts) expect(Number(c.events), c.session_id).toBe(Number(c.chunks));
}

/** Faults a self-hosted Loupe meets, each on processes, databases and queues of its own. */
describe.skipIf(!canRun)('faults: what Loupe survives', () => {
  const children: Array<{ stop(signal?: NodeJS.Signals): Promise<unknown> }> = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const track_ = <T extends { stop(signal?: NodeJS.Signals): Promise<unknown> }>(c: T) => (children.push(c), c);
  let browser: Browser | undefined;

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(children.map((c) => c.stop('SIGKILL').catch(() => undefined)));
    for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
  });

  async function fresh(label: string) {
    const db = await freshDatabase(server!, label);
    cleanups.push(db.drop);
    return db;
  }

  it('retries the jobs of a worker killed mid-job (SIGKILL), and stores nothing twice', async () => {
    const db = await fresh('kill_worker');
    // Locks of 4 s: a killed worker's jobs are taken over within about 8 s instead of a minute.
    const env = clusterEnv(db.url, redis, { LOUPE_JOB_LOCK_SECONDS: '4' });
    const api = track_(await startApi(env));
    const project = await defaultProject(api.url, await login(api.url));
    const batches = prepareVisits(16).flat();
    await inParallel(batches, 8, async (b) => void expect(await postBatch(api.url, project.publicKey, b)).toBe(202));

    const first = track_(await startWorker(env));
    await waitUntil('the first worker half-way', async () => (await unprocessed(db.url)) < batches.length * 0.7, 60_000);
    await first.stop('SIGKILL');
    // Killed with jobs in hand: they stay active, locked by a process that is gone, until their lock expires.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const active = Number(/loupe_queue_jobs\{[^}]*queue="recordings",state="active"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0) + Number(/loupe_queue_jobs\{[^}]*queue="analysis",state="active"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(active).toBeGreaterThan(0);
    expect(await unprocessed(db.url)).toBeGreaterThan(0);

    const second = track_(await startWorker(env));
    // BullMQ finds the stalled jobs once their lock has expired and hands them to the live worker.
    await waitUntil('every chunk processed after the kill', async () => (await unprocessed(db.url)) === 0, 60_000);
    await expectEachChunkOnce(db.url);
    const chunks = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM recording_chunk');
    expect(chunks[0]!.n).toBe(batches.length);
    expect(await second.stop()).toBe(0);
    expect(await api.stop()).toBe(0);
  }, 180_000);

  it('keeps answering 202 while Redis is down, and processes everything once Redis is back, empty', async () => {
    const db = await fresh('redis_down');
    const queue = await ThrowawayRedis.start();
    cleanups.push(() => queue.kill());
    const env = clusterEnv(db.url, queue.url, { LOUPE_INLINE_WORKER: 'true', LOUPE_SWEEP_INTERVAL_SECONDS: '3' });
    const api = track_(await startApi(env));
    const project = await defaultProject(api.url, await login(api.url));
    const [before, during, after] = [prepareVisits(4).flat(), prepareVisits(4).flat(), prepareVisits(2).flat()];
    await inParallel(before, 8, async (b) => void expect(await postBatch(api.url, project.publicKey, b)).toBe(202));

    await queue.kill();
    const started = Date.now();
    const statuses: number[] = [];
    await inParallel(during, 8, async (b) => void statuses.push(await postBatch(api.url, project.publicKey, b)));
    const duringMs = Date.now() - started;
    expect(statuses.every((s) => s === 202)).toBe(true);
    // Health says which part is down.
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { queue: string }).queue).not.toBe('ok');

    // Back without its data: the jobs queued before, the schedules and the sweep's own are gone.
    await queue.start();
    await inParallel(after, 8, async (b) => void expect(await postBatch(api.url, project.publicKey, b)).toBe(202));
    await waitUntil('every chunk processed once Redis is back', async () => (await unprocessed(db.url)) === 0, 60_000);
    const stored = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM recording_chunk');
    expect(stored[0]!.n).toBe(before.length + during.length + after.length);
    await expectEachChunkOnce(db.url);
    expect(duringMs / during.length).toBeLessThan(2000);
    expect(await api.stop()).toBe(0);
  }, 120_000);

  it('answers 503 with Retry-After while PostgreSQL is down; the SDK keeps its batches and delivers them once it is back', async () => {
    const pg = await ThrowawayPostgres.create();
    cleanups.push(() => pg.destroy());
    const api = track_(await startApi(clusterEnv(pg.url, redis, { LOUPE_INLINE_WORKER: 'true' })));
    const project = await defaultProject(api.url, await login(api.url));
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    page.on('response', (r) => {
      if (r.url().includes('/v1/ingest') && r.request().method() === 'POST') answers.push({ status: r.status(), retryAfter: r.headers()['retry-after'] ?? null });
    });
    await openShop(page, api.url, project.publicKey);
    for (let i = 0; i < 3; i++) await track(page, `before-${i}`);
    expect(await flush(page)).toBe('resolved');

    await pg.crash();
    for (let i = 0; i < 3; i++) await track(page, `during-${i}`);
    await page.click('[data-testid="product-lamp"]');
    const flushing = flush(page);
    await waitUntil('a 503 from ingest', async () => answers.some((a) => a.status === 503), 30_000);
    expect(answers.find((a) => a.status === 503)!.retryAfter).toBe('5');

    await pg.start();
    expect(await flushing).toBe('resolved');
    await track(page, 'after-0');
    expect(await flush(page)).toBe('resolved');

    const chunks = await storedChunks(pg.url);
    for (const name of ['before-0', 'before-1', 'before-2', 'during-0', 'during-1', 'during-2', 'after-0']) expect(timesStored(chunks, name), name).toBe(1);
    // One tab's batches: numbered without a gap, each stored once.
    const seqs = chunks.map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(answers.filter((a) => a.status >= 400 && a.status !== 503)).toEqual([]);
    await waitUntil('every chunk processed', async () => (await unprocessed(pg.url)) === 0, 30_000);
    await expectEachChunkOnce(pg.url);
    expect(await api.stop()).toBe(0);
  }, 120_000);

  it('completes the recording of a browser that kept recording while the api restarted', async () => {
    const db = await fresh('restart_api');
    const env = clusterEnv(db.url, redis, { LOUPE_INLINE_WORKER: 'true', PORT: String(await freePort()) });
    let api = await startApi(env);
    track_({ stop: (signal?: NodeJS.Signals) => api.stop(signal) });
    const project = await defaultProject(api.url, await login(api.url));
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    await openShop(page, api.url, project.publicKey);
    await track(page, 'first-0');
    expect(await flush(page)).toBe('resolved');

    expect(await api.stop()).toBe(0);
    // The visit goes on while nothing answers: clicks, a custom event.
    await page.click('[data-testid="product-lamp"]');
    await page.click('h1');
    await track(page, 'while-down-0');
    const flushing = flush(page);
    await page.waitForTimeout(1500);

    api = await startApi(env);
    expect(await flushing).toBe('resolved');
    await track(page, 'after-restart-0');
    const sessionId = await page.evaluate(() => (window as unknown as LoupeWindow).Loupe.getSessionId());
    expect(await flush(page)).toBe('resolved');
    await waitUntil('every chunk processed', async () => (await unprocessed(db.url)) === 0, 30_000);

    const chunks = (await storedChunks(db.url)).filter((c) => c.session_id === sessionId);
    for (const name of ['first-0', 'while-down-0', 'after-restart-0']) expect(timesStored(chunks, name), name).toBe(1);
    // Every batch of the tab, in order and without a gap: the recording is whole.
    const seqs = chunks.map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const clicks = await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM session_event WHERE session_id = $1 AND kind = 'click'", [sessionId]);
    expect(clicks[0]!.n).toBeGreaterThanOrEqual(2);
    await expectEachChunkOnce(db.url);
    expect(await api.stop()).toBe(0);
  }, 180_000);

  it('keeps every write of many parallel ingests and queries on the embedded database, none lost or crossed', async () => {
    // The run's embedded PostgreSQL (PGlite behind Loupe's multiplexer), as `npm start` uses it.
    const api = await startTestApi(databaseShapes()[0]!.url);
    cleanups.push(() => api.close());
    const account = await seedAccount(api);
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    const cookie = await login(base, { email: account.email, password: account.password });
    const project = account.project;
    const visits = prepareVisits(6);
    const batches = visits.flatMap((v) => v).sort(() => Math.random() - 0.5);
    let reading = true;
    const readErrors: string[] = [];
    const readers = Array.from({ length: 3 }, async () => {
      while (reading) {
        const list = await fetch(`${base}/api/v1/sessions?project=${project.id}&limit=50`, { headers: { cookie } });
        if (list.status !== 200) readErrors.push(`list ${list.status}`);
        const { sessions } = (await list.json()) as { sessions: Array<{ id: string }> };
        const one = sessions[Math.floor(Math.random() * sessions.length)];
        if (one) {
          const detail = await fetch(`${base}/api/v1/sessions/${one.id}?project=${project.id}`, { headers: { cookie } });
          if (detail.status !== 200) readErrors.push(`detail ${detail.status}`);
          else expect(((await detail.json()) as { session: { id: string } }).session.id).toBe(one.id);
        }
      }
    });
    await inParallel(batches, 16, async (b) => void expect(await postBatch(base, project.publicKey, b)).toBe(202));
    reading = false;
    await Promise.all(readers);
    expect(readErrors).toEqual([]);
    const rows = <T,>(sql: string) => api.platform.dataSource.query(sql, [project.id]) as Promise<T[]>;
    await waitUntil(
      'every chunk processed',
      async () => (await rows<{ n: number }>('SELECT count(*)::int AS n FROM recording_chunk WHERE project_id = $1 AND processed_at IS NULL'))[0]!.n === 0,
      90_000,
    );
    const stored = await rows<{ session_id: string; seq: number; body: Buffer }>('SELECT session_id, seq, body FROM recording_chunk WHERE project_id = $1 ORDER BY session_id, seq');
    expect(stored).toHaveLength(batches.length);
    // Each row holds the batch that names it: no chunk stored under another visit's id or number.
    for (const c of stored) {
      const body = JSON.parse(gunzipSync(c.body).toString('utf8')) as { sessionId: string; seq: number };
      expect([body.sessionId, body.seq]).toEqual([c.session_id, Number(c.seq)]);
    }
    for (const v of visits) expect(stored.filter((c) => c.session_id === v[0]!.sessionId).map((c) => Number(c.seq))).toEqual(v.map((b) => b.seq));
    // A session's counts come from its analysis, which follows its chunks' processing on its own queue.
    const summaries = () =>
      rows<{ id: string; event_count: number; chunks: number }>(
        'SELECT s.id, s.event_count, (SELECT sum(event_count)::int FROM recording_chunk c WHERE c.project_id = s.project_id AND c.session_id = s.id) AS chunks FROM session s WHERE s.project_id = $1',
      );
    await waitUntil('every session analysed', async () => (await summaries()).every((s) => Number(s.event_count) === Number(s.chunks)), 60_000).catch(() => undefined);
    const sessions = await summaries();
    expect(sessions).toHaveLength(visits.length);
    for (const s of sessions) expect(Number(s.event_count), s.id).toBe(Number(s.chunks));
    const doubled = await rows('SELECT session_id, window_id, seq, idx FROM session_event WHERE project_id = $1 GROUP BY 1, 2, 3, 4 HAVING count(*) > 1');
    expect(doubled).toEqual([]);
  }, 150_000);

  it('refuses a batch with a clear 503 when the database cannot write (disk full), stores no part of it, and takes it once writes work again', async () => {
    const db = await fresh('disk_full');
    const api = track_(await startApi(clusterEnv(db.url, redis, { LOUPE_INLINE_WORKER: 'true' })));
    const project = await defaultProject(api.url, await login(api.url));
    // A full disk, simulated where PostgreSQL would meet it: the insert of the chunk fails with
    // SQLSTATE 53100 (disk_full), after the session row was written in the same transaction.
    await query(
      db.url,
      `CREATE FUNCTION simulate_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'could not extend file "base/16384/16999": No space left on device' USING ERRCODE = '53100'; END $$;
       CREATE TRIGGER simulate_disk_full BEFORE INSERT ON recording_chunk FOR EACH ROW EXECUTE FUNCTION simulate_disk_full();`,
    );
    const [visit] = prepareVisits(1);
    const res = await fetch(`${api.url}/v1/ingest?key=${project.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(visit![0]!.body) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { message: string }).message).toMatch(/cannot store the batch right now \(its disk or memory is full\)/);
    expect(await query(db.url, 'SELECT id FROM session')).toEqual([]);
    expect(await query(db.url, 'SELECT session_id FROM recording_chunk')).toEqual([]);
    expect(api.output()).toMatch(/No space left on device/);

    await query(db.url, 'DROP TRIGGER simulate_disk_full ON recording_chunk; DROP FUNCTION simulate_disk_full();');
    for (const b of visit!) expect(await postBatch(api.url, project.publicKey, b)).toBe(202);
    await waitUntil('the visit processed', async () => (await unprocessed(db.url)) === 0, 30_000);
    const chunks = await storedChunks(db.url);
    expect(chunks.map((c) => c.seq)).toEqual(visit!.map((b) => b.seq));
    for (const c of chunks) expect(() => JSON.parse(c.json)).not.toThrow();
    await expectEachChunkOnce(db.url);
    expect(await api.stop()).toBe(0);
  }, 90_000);
});
