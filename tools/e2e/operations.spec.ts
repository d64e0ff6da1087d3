import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../libs/server/src/database/migrations';
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

const server = serverDatabaseUrl();
const redis = redisUrl();

/** The built processes as an operator runs them: stopped, upgraded, backed up and restored. */
describe.skipIf(!(server && redis) && !isCI)('operating Loupe on PostgreSQL and Redis', () => {
  const children: LoupeChild[] = [];
  const drops: Array<() => Promise<void>> = [];
  const track = <T extends LoupeChild>(c: T) => (children.push(c), c);

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop('SIGKILL')));
    for (const drop of drops) await drop().catch(() => undefined);
  });

  async function fresh(label: string) {
    const db = await freshDatabase(server!, label);
    drops.push(db.drop);
    return db;
  }

  it('stores every batch it answered 202 to when it is stopped in the middle of a stream of them', async () => {
    const db = await fresh('stop_api');
    const env = clusterEnv(db.url, redis);
    const api = track(await startApi(env));
    const project = await defaultProject(api.url, await login(api.url));
    const batches = prepareVisits(40).flat();

    const accepted: typeof batches = [];
    const refused: string[] = [];
    let sent = 0;
    const stopping = (async () => {
      await waitUntil('a hundred batches sent', async () => sent >= 100, 60_000);
      return api.stop('SIGTERM');
    })();
    await inParallel(batches, 8, async (b) => {
      sent++;
      try {
        const status = await postBatch(api.url, project.publicKey, b);
        if (status === 202) accepted.push(b);
        else refused.push(String(status));
      } catch (err) {
        refused.push((err as Error).message);
      }
    });
    expect(await stopping).toBe(0);
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    expect(refused.length).toBeGreaterThan(0);
    // Refused means not taken: 503 while closing, or no connection once it had stopped.
    expect(refused.filter((r) => r !== '503' && r !== 'fetch failed')).toEqual([]);

    const stored = new Set((await query<{ k: string }>(db.url, "SELECT session_id || '/' || seq AS k FROM recording_chunk")).map((r) => r.k));
    expect(accepted.filter((b) => !stored.has(`${b.sessionId}/${b.seq}`))).toEqual([]);
    // And each one has its job: a worker started now processes every stored chunk without the sweeper.
    const worker = track(await startWorker(env));
    await waitUntil('every stored chunk processed', async () => (await unprocessed(db.url)) === 0, 60_000);
    expect(await worker.stop()).toBe(0);
  }, 240_000);

  it('lets a stopped worker finish its jobs, and another one takes the rest: nothing lost, nothing twice', async () => {
    const db = await fresh('stop_worker');
    const env = clusterEnv(db.url, redis);
    const api = track(await startApi(env));
    const project = await defaultProject(api.url, await login(api.url));
    const batches = prepareVisits(30).flat();
    await inParallel(batches, 8, async (b) => void expect(await postBatch(api.url, project.publicKey, b)).toBe(202));

    const first = track(await startWorker(env));
    await waitUntil('the first worker busy', async () => (await unprocessed(db.url)) < batches.length - 20, 60_000);
    const stoppedAt = Date.now();
    expect(await first.stop('SIGTERM')).toBe(0);
    const stopMs = Date.now() - stoppedAt;
    const left = await unprocessed(db.url);
    expect(left).toBeGreaterThan(0);
    // It finished what it had started: no job is left active, waiting for its lock to expire.
    const afterStop = await (await fetch(`${api.url}/metrics`)).text();
    expect(afterStop).toMatch(/loupe_queue_jobs\{[^}]*queue="recordings",state="active"[^}]*\} 0\n/);
    expect(afterStop).toMatch(/loupe_queue_jobs\{[^}]*queue="recordings",state="failed"[^}]*\} 0\n/);

    const second = track(await startWorker(env));
    await waitUntil('every chunk processed by the second worker', async () => (await unprocessed(db.url)) === 0, 90_000);
    expect(await duplicatedEvents(db.url)).toEqual([]);
    const counts = await (await fetch(`${api.url}/metrics`)).text();
    expect(counts).toMatch(/loupe_queue_jobs\{[^}]*queue="recordings",state="failed"[^}]*\} 0/);
    expect(counts).toMatch(/loupe_queue_jobs\{[^}]*queue="recordings",state="active"[^}]*\} 0/);
    expect(stopMs).toBeLessThan(25_000);
    expect(await second.stop()).toBe(0);
    expect(await api.stop()).toBe(0);
  }, 240_000);

  it('migrates a fresh database once when two apis start on it together, and both serve', async () => {
    const db = await fresh('migrate');
    // The queue in PostgreSQL too: BullMQ's own schema is migrated under the same start.
    const env = clusterEnv(db.url, null);
    const [a, b] = await Promise.all([startApi(env), startApi(env)]);
    track(a);
    track(b);
    const migrations = await query<{ name: string }>(db.url, 'SELECT name FROM loupe_migrations ORDER BY id');
    expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await query(db.url, 'SELECT email, instance_admin FROM app_user')).toEqual([{ email: 'first-admin@test.loupe', instance_admin: true }]);
    for (const api of [a, b]) {
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      const queues = await fetch(`${api.url}/api/v1/admin/queues`, { headers: { cookie: await login(api.url) } });
      expect(queues.status).toBe(200);
    }
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 180_000);

  it('restores a pg_dump into a new database, and Loupe on it shows the same sessions and replays', async () => {
    const source = await fresh('backup');
    const api = track(await startApi(clusterEnv(source.url, redis, { LOUPE_INLINE_WORKER: 'true' })));
    const cookie = await login(api.url);
    const project = await defaultProject(api.url, cookie);
    const visits = prepareVisits(4);
    await inParallel(visits.flat(), 4, async (b) => void expect(await postBatch(api.url, project.publicKey, b)).toBe(202));
    await waitUntil('every chunk processed', async () => (await unprocessed(source.url)) === 0, 60_000);

    const read = async (base: string, c: string) => {
      const list = (await (await fetch(`${base}/api/v1/sessions?project=${project.id}`, { headers: { cookie: c } })).json()) as { sessions: Array<{ id: string }> };
      const sessions = await Promise.all(list.sessions.map(async (s) => (await fetch(`${base}/api/v1/sessions/${s.id}?project=${project.id}`, { headers: { cookie: c } })).json()));
      const chunks = await Promise.all(
        visits.map(async (v) => Buffer.from(await (await fetch(`${base}/api/v1/sessions/${v[1]!.sessionId}/chunks/main/1?project=${project.id}`, { headers: { cookie: c, 'accept-encoding': 'br' } })).arrayBuffer()).toString('base64')),
      );
      return { list, sessions, chunks };
    };
    const before = await read(api.url, cookie);
    expect(before.list.sessions).toHaveLength(4);

    // As docs/self-hosting.md says: a custom-format dump, restored into an empty database.
    const dir = mkdtempSync(join(tmpdir(), 'loupe-backup-'));
    try {
      const file = join(dir, 'loupe.dump');
      const dump = spawnSync('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, source.url], { encoding: 'utf8' });
      expect(dump.stderr).toBe('');
      expect(dump.status).toBe(0);
      expect(await api.stop()).toBe(0);
      const target = await fresh('restore');
      const restore = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${target.url}`, file], { encoding: 'utf8' });
      expect(restore.stderr).toBe('');
      expect(restore.status).toBe(0);

      const restored = track(await startApi(clusterEnv(target.url, redis, { LOUPE_INLINE_WORKER: 'true' })));
      const after = await read(restored.url, await login(restored.url));
      expect(after).toEqual(before);
      expect(await restored.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
