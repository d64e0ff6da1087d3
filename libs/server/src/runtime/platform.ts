import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { LoupeConfig } from '../config/config';
import { createDataSource, runMigrations, runQueueSchemaMigrations } from '../database/data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../database/embedded-postgres';
import { postgresQueueConnection, redisQueueConnection, type QueueConnection } from '../queue/queue-connection';

/** What a Loupe process stands on: its database and its queue, opened and checked before Nest starts. */
export interface Platform {
  readonly dataSource: DataSource;
  readonly queue: QueueConnection;
  readonly databaseUrl: string;
  readonly embedded: EmbeddedPostgres | null;
  close(): Promise<void>;
}

export async function openPlatform(config: LoupeConfig, opts: { migrate: boolean }): Promise<Platform> {
  const log = new Logger('Platform');
  let embedded: EmbeddedPostgres | null = null;
  let url: string;
  if (config.database.mode === 'embedded') {
    embedded = await startEmbeddedPostgres(config.database.dataDir);
    url = embedded.url;
    log.log(`embedded database in ${config.database.dataDir}`);
  } else {
    url = config.database.url;
  }
  const dataSource = createDataSource(url, config.database.poolSize);
  try {
    await dataSource.initialize();
  } catch (err) {
    await embedded?.stop();
    throw new Error(`Loupe cannot reach its database${config.database.mode === 'server' ? ` at ${redact(url)}` : ''}: ${(err as Error).message}. Check DATABASE_URL and that PostgreSQL is running.`, { cause: err });
  }
  if (opts.migrate) {
    const applied = await runMigrations(dataSource);
    if (applied.length) log.log(`applied migrations: ${applied.join(', ')}`);
    if (config.queue.backend === 'postgres') await runQueueSchemaMigrations(dataSource);
  }
  // PGlite reports an Emscripten build; behind its socket, NOTIFY does not reach idle listeners.
  const [{ version }] = (await dataSource.query('SELECT version()')) as Array<{ version: string }>;
  const isPglite = !!embedded || /emscripten|emcc|wasm/i.test(version);
  const queue = config.queue.backend === 'redis' ? redisQueueConnection(config.queue.url, config.queue.prefix) : postgresQueueConnection(url, config.queue.prefix, { embedded: isPglite });
  return {
    dataSource,
    queue,
    databaseUrl: url,
    embedded,
    async close() {
      await queue.close().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

export const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
