import { runMigrations as runQueueMigrations } from 'bullmq';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export function createDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'loupe_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: poolSize, connectionTimeoutMillis: 5000, application_name: 'loupe' },
  });
}

/** Any number to tell Loupe's migration lock from other advisory locks on a shared server. */
const MIGRATION_LOCK = 7_345_001;

/**
 * Runs pending migrations while holding an advisory lock, so several api replicas starting at
 * once migrate exactly once.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * Creates or upgrades BullMQ's own tables (schema `bullmq`) when PostgreSQL carries the queue.
 * BullMQ takes its own advisory lock on the one session it is given.
 */
export async function runQueueSchemaMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    // The query runner's connect() hands back its own pg client: one dedicated session.
    const client = (await runner.connect()) as { query: (sql: string, params?: unknown[]) => Promise<unknown> };
    await runQueueMigrations(client as never, 'bullmq');
  } finally {
    await runner.release();
  }
}
