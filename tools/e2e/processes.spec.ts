import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, serverDatabaseUrl } from '../testing/databases';
import { isCI } from '../testing/services';
import { batch, fixture, gz, rebase } from '../testing/recordings';

const ready = () => existsSync('dist/apps/api/main.js') && existsSync('dist/apps/worker/main.js');

function run(script: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('the built processes', () => {
  beforeAll(async () => {
    if (!ready()) {
      const script = '../build.mjs';
      await ((await import(script)) as { buildAll: (o: { quiet: boolean }) => Promise<void> }).buildAll({ quiet: true });
    }
  }, 120_000);

  it('refuses to start on a bad configuration, naming every problem, and exits 1', () => {
    const r = run('dist/apps/api/main.js', { PORT: 'eighty', REDIS_URL: 'localhost:6379', DATABASE_URL: 'postgres://db/x', LOUPE_ADMIN_PASSWORD: 'short' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Loupe cannot start: its configuration is invalid.');
    expect(r.stderr).toMatch(/PORT must be a port number/);
    expect(r.stderr).toMatch(/REDIS_URL must be a Redis URL/);
    expect(r.stderr).toMatch(/LOUPE_ADMIN_PASSWORD must be at least 10 characters/);
    expect(r.stderr).not.toContain('short');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('does not start a separate worker on the embedded database', () => {
    const r = run('dist/apps/worker/main.js', {});
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL must be set for a separate worker process/);
  });
});

/** The scaled-out shape: an api that only takes requests, and a worker process that does the work. */
const database = serverDatabaseUrl();
const redis = redisUrl();
describe.skipIf(!(database && redis) && !isCI)('api and worker as separate processes on PostgreSQL and Redis', () => {
  const prefix = `p${randomUUID().slice(0, 8)}`;
  // A database of its own: the first start must find it empty to create the admin it logs in as.
  const dbName = `loupe_test_processes_${randomUUID().slice(0, 8)}`;
  const own = database ? Object.assign(new URL(database), { pathname: `/${dbName}` }).toString() : '';
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: database! });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: own,
    REDIS_URL: redis ?? '',
    LOUPE_QUEUE_PREFIX: prefix,
    LOUPE_ADMIN_EMAIL: 'first-admin@test.loupe',
    LOUPE_ADMIN_PASSWORD: 'first-admin-password',
    LOUPE_LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    // Any free port for the worker's /healthz and /metrics: other runs may share the machine.
    LOUPE_WORKER_PORT: '0',
  };
  const children: Array<ReturnType<typeof spawn>> = [];
  let url = '';

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    const api = spawn(process.execPath, ['dist/apps/api/main.js'], { env: { ...env, LOUPE_INLINE_WORKER: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(api);
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`api did not start: ${out}`)), 60_000);
      api.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      api.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Console:\s+(http:\/\/\S+?)\/?\s/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const worker = spawn(process.execPath, ['dist/apps/worker/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(worker);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('the api stores a batch and the worker process turns it into a session', async () => {
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: env.LOUPE_ADMIN_EMAIL, password: env.LOUPE_ADMIN_PASSWORD }) });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const { projects } = (await (await fetch(`${url}/api/v1/projects`, { headers: { cookie } })).json()) as { projects: Array<{ id: string; publicKey: string }> };
    const project = projects[0]!;
    const b = batch(rebase(fixture('demoit-desktop-81s')));
    const res = await fetch(`${url}/v1/ingest?key=${project.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: gz(b) });
    expect(res.status).toBe(202);
    let processed = false;
    const started = Date.now();
    while (!processed && Date.now() - started < 20_000) {
      const r = await fetch(`${url}/api/v1/sessions/${b.sessionId}?project=${project.id}`, { headers: { cookie } });
      processed = r.status === 200 && ((await r.json()) as { session: { processed: boolean } }).session.processed;
      if (!processed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(processed).toBe(true);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const worker = children[1]!;
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
