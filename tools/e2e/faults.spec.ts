import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@loupe/server';
import { browserAvailable, launchBrowser } from '../testing/browser';
import { redisUrl, serverDatabaseUrl } from '../testing/databases';
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
  type LoupeChild,
} from './cluster';
import { freePort, storedChunks, ThrowawayPostgres, ThrowawayRedis, timesStored } from './faults';
import { startLoupe, type LoupeProcess } from './loupe-process';

const server = serverDatabaseUrl();
const redis = redisUrl();
const canRun = (server && redis && ThrowawayRedis.available() && ThrowawayPostgres.available() && browserAvailable()) || isCI;

type LoupeWindow = { Loupe: { track(name: string): void; flush(): Promise<void>; getSessionId(): string } };
const track = (page: Page, name: string) => page.evaluate((n) => (window as unknown as LoupeWindow).Loupe.track(n), name);
const flush = (page: Page) => page.evaluate(() => (window as unknown as LoupeWindow).Loupe.flush().then(() => 'resolved', (e: Error) => `rejected: ${e.message}`));

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
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    page.on('response', (r) => {
      if (r.url().includes('/v1/ingest') && r.request().method() === 'POST') answers.push({ status: r.status(), retryAfter: r.headers()['retry-after'] ?? null });
    });
    await page.goto(`${api.url}/demo`);
    await page.waitForFunction(() => typeof (window as unknown as Partial<LoupeWindow>).Loupe?.getSessionId === 'function');
    for (let i = 0; i < 3; i++) await track(page, `before-${i}`);
    expect(await flush(page)).toBe('resolved');

    await pg.crash();
    for (let i = 0; i < 3; i++) await track(page, `during-${i}`);
    await page.click('[data-testid="product-lamp"] a').catch(() => undefined);
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
    const dataDir = mkdtempSync(join(tmpdir(), 'loupe-restart-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let loupe: LoupeProcess = await startLoupe(dataDir, { PORT: String(port) });
    track_({ stop: () => loupe.stop() });
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${loupe.url}/demo`);
    await page.waitForFunction(() => typeof (window as unknown as Partial<LoupeWindow>).Loupe?.getSessionId === 'function');
    await track(page, 'first-0');
    expect(await flush(page)).toBe('resolved');

    expect(await loupe.stop()).toBe(0);
    // The visit goes on while nothing answers: a click, a tab, a custom event.
    await page.click('[data-testid="product-lamp"] a');
    await page.waitForURL(/\/demo\/product\/lamp/).catch(() => undefined);
    await track(page, 'while-down-0');
    const flushing = flush(page);
    await page.waitForTimeout(1500);

    loupe = await startLoupe(dataDir, { PORT: String(port) });
    expect(await flushing).toBe('resolved');
    await track(page, 'after-restart-0');
    const sessionId = await page.evaluate(() => (window as unknown as LoupeWindow).Loupe.getSessionId());
    expect(await flush(page)).toBe('resolved');
    expect(await loupe.stop()).toBe(0);

    const db = await startEmbeddedPostgres(dataDir);
    try {
      const chunks = (await storedChunks(db.url)).filter((c) => c.session_id === sessionId);
      for (const name of ['first-0', 'while-down-0', 'after-restart-0']) expect(timesStored(chunks, name), name).toBe(1);
      // Every batch of every tab of the visit, in order and without a gap: the recording is whole.
      for (const windowId of new Set(chunks.map((c) => c.window_id))) {
        const seqs = chunks.filter((c) => c.window_id === windowId).map((c) => c.seq);
        expect(seqs, windowId).toEqual(seqs.map((_, i) => i));
      }
      expect(chunks.some((c) => c.json.includes('/demo/product/lamp'))).toBe(true);
    } finally {
      await db.stop();
    }
  }, 120_000);

  it('keeps every write of many parallel ingests and queries on the embedded database, none lost or crossed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loupe-concurrent-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const loupe = await startLoupe(dataDir);
    track_({ stop: () => loupe.stop() });
    const cookie = await login(loupe.url, { email: 'admin@loupe.local', password: 'loupe-admin' });
    const project = await defaultProject(loupe.url, cookie);
    const visits = prepareVisits(6);
    const batches = visits.flatMap((v) => v).sort(() => Math.random() - 0.5);
    let reading = true;
    const readErrors: string[] = [];
    const readers = Array.from({ length: 3 }, async () => {
      while (reading) {
        const list = await fetch(`${loupe.url}/api/v1/sessions?project=${project.id}&limit=50`, { headers: { cookie } });
        if (list.status !== 200) readErrors.push(`list ${list.status}`);
        const { sessions } = (await list.json()) as { sessions: Array<{ id: string }> };
        const one = sessions[Math.floor(Math.random() * sessions.length)];
        if (one) {
          const detail = await fetch(`${loupe.url}/api/v1/sessions/${one.id}?project=${project.id}`, { headers: { cookie } });
          if (detail.status !== 200) readErrors.push(`detail ${detail.status}`);
          else expect(((await detail.json()) as { session: { id: string } }).session.id).toBe(one.id);
        }
      }
    });
    await inParallel(batches, 16, async (b) => void expect(await postBatch(loupe.url, project.publicKey, b)).toBe(202));
    reading = false;
    await Promise.all(readers);
    expect(readErrors).toEqual([]);
    await waitUntil(
      'every session processed',
      async () => {
        const { sessions } = (await (await fetch(`${loupe.url}/api/v1/sessions?project=${project.id}&limit=50`, { headers: { cookie } })).json()) as { sessions: Array<{ processed: boolean }> };
        return sessions.length === visits.length && sessions.every((s) => s.processed);
      },
      60_000,
    );
    expect(await loupe.stop()).toBe(0);

    const db = await startEmbeddedPostgres(dataDir);
    try {
      const chunks = await storedChunks(db.url);
      expect(chunks).toHaveLength(batches.length);
      // Each row holds the batch that names it: no chunk stored under another visit's id or number.
      for (const c of chunks) {
        const body = JSON.parse(c.json) as { sessionId: string; seq: number };
        expect([body.sessionId, body.seq]).toEqual([c.session_id, c.seq]);
      }
      for (const v of visits) expect(chunks.filter((c) => c.session_id === v[0]!.sessionId).map((c) => c.seq)).toEqual(v.map((b) => b.seq));
      await expectEachChunkOnce(db.url);
    } finally {
      await db.stop();
    }
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

export type { LoupeChild };
