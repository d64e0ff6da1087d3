import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDataSource, runMigrations, runQueueSchemaMigrations } from '../../libs/server/src/database/data-source';
import { startEmbeddedPostgres } from '../../libs/server/src/database/embedded-postgres';
import { assertTestDatabase, isCI, reachable, requestedServices } from './services';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedDatabaseUrl: string;
    serverDatabaseUrl: string | null;
    redisUrl: string | null;
    missingServices: string[];
  }
}

/**
 * Starts one embedded PostgreSQL for the whole run (as `npm start` would) and checks the server
 * PostgreSQL and Redis. Test files share the databases and keep apart by creating their own rows.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-test-'));
  const embedded = await startEmbeddedPostgres(dir);
  const { databaseUrl, redisUrl } = requestedServices();
  const missing: string[] = [];

  let serverDatabaseUrl: string | null = null;
  if (databaseUrl && (await reachable(databaseUrl))) {
    assertTestDatabase(databaseUrl);
    await wipe(databaseUrl);
    serverDatabaseUrl = databaseUrl;
  } else {
    missing.push(databaseUrl ? `PostgreSQL at ${databaseUrl} is not reachable` : 'LOUPE_TEST_DATABASE_URL is not set (a throw-away PostgreSQL database)');
  }
  const redis = (await reachable(redisUrl)) ? redisUrl : null;
  if (!redis) missing.push(`Redis at ${redisUrl} is not reachable (LOUPE_TEST_REDIS_URL)`);
  if (isCI && missing.length) {
    await embedded.stop();
    throw new Error(`CI=true, and tests need every service: ${missing.join('; ')}.`);
  }
  // Migrated once here: test files start their apps in parallel, and on the embedded database (one
  // session) advisory locks do not keep two migrators apart.
  for (const url of [embedded.url, serverDatabaseUrl]) if (url) await migrate(url);
  project.provide('embeddedDatabaseUrl', embedded.url);
  project.provide('serverDatabaseUrl', serverDatabaseUrl);
  project.provide('redisUrl', redis);
  project.provide('missingServices', missing);

  return async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

async function wipe(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS bullmq CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}

async function migrate(url: string) {
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    await runMigrations(ds);
    await runQueueSchemaMigrations(ds);
  } finally {
    await ds.destroy();
  }
}
