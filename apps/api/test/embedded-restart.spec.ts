import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiApp, FirstRunService, loadConfig, openPlatform, startEmbeddedPostgres } from '@loupe/server';

const dataDir = mkdtempSync(join(tmpdir(), 'loupe-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the api the way `npm start` does on a fresh machine: no DATABASE_URL, no REDIS_URL. */
async function startEmbedded() {
  const config = loadConfig({ LOUPE_DATA_DIR: dataDir, LOUPE_LOG_LEVEL: 'error' }, 'api');
  const platform = await openPlatform(config, { migrate: true });
  const app = await createApiApp(config, platform, { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const firstRun = await app.get(FirstRunService).ensureAdmin();
  return {
    config,
    app,
    firstRun,
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}

/**
 * A first start migrates an empty embedded database: seconds on a quiet machine, more than the
 * default 30 s when the machine is busy. Past a timeout the folder would be removed under a database
 * still writing to it, and the failure would read as a missing file rather than as slowness.
 */
const FIRST_START_MS = 120_000;

describe('the embedded default', () => {
  let firstKey: string | undefined;

  it('creates the documented admin and a default project with a public key on first start', async () => {
    const loupe = await startEmbedded();
    try {
      expect(loupe.config.database.mode).toBe('embedded');
      expect(loupe.config.queue.backend).toBe('postgres');
      expect(loupe.firstRun.adminEmail).toBe('admin@loupe.local');
      firstKey = loupe.firstRun.defaultProject?.publicKey;
      expect(firstKey).toMatch(/^pk_/);
      const health = await request(loupe.app.getHttpServer()).get('/healthz');
      expect(health.body).toEqual({ status: 'ok', database: 'ok', queue: 'ok' });
    } finally {
      await loupe.stop();
    }
  }, FIRST_START_MS);

  it('keeps the admin, the project and its key across a restart', async () => {
    expect(firstKey).toBeDefined();
    const loupe = await startEmbedded();
    try {
      expect(loupe.firstRun.defaultProject?.publicKey).toBe(firstKey);
      const login = await request(loupe.app.getHttpServer()).post('/api/v1/auth/login').send({ email: 'admin@loupe.local', password: 'loupe-admin' });
      expect(login.status).toBe(200);
      const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
      const projects = await request(loupe.app.getHttpServer()).get('/api/v1/projects').set('cookie', cookie);
      expect(projects.body.projects).toEqual([expect.objectContaining({ name: 'Default project', publicKey: firstKey })]);
    } finally {
      await loupe.stop();
    }
  }, FIRST_START_MS);

  it('refuses a data folder that another running Loupe holds', async () => {
    const busy = mkdtempSync(join(tmpdir(), 'loupe-busy-'));
    // pid 1 always runs: the folder looks held by a live process.
    writeFileSync(join(busy, 'loupe.pid'), '1');
    await expect(startEmbeddedPostgres(busy)).rejects.toThrow(/in use by another Loupe process \(pid 1\)/);
    rmSync(busy, { recursive: true, force: true });
  });
});
