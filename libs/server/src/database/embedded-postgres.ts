import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { servePglite } from './pglite-multiplexer';

/**
 * The embedded shape: PostgreSQL compiled to WebAssembly (PGlite), kept in a data folder and served
 * on loopback so that TypeORM, BullMQ and every query go through the same `pg` driver as on a
 * PostgreSQL server.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * PGlite is one PostgreSQL session shared by every socket connection, so per-connection settings
 * sent at connect time are not applied. BullMQ keeps its tables in the `bullmq` schema and names
 * them without a schema, so that schema is put on the search path of the one session (and of the
 * database, for the next start). Loupe's own tables live in `public`, which comes first; they must
 * not share a name with a BullMQ table (job, event, meta, metrics, migration...).
 */
const SEARCH_PATH = 'public, bullmq';

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgDir = join(dataDir, 'pg');
  mkdirSync(pgDir, { recursive: true });
  const releaseLock = takeDataDirLock(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(pgDir);
  } catch (err) {
    releaseLock();
    throw new Error(`The embedded database in ${pgDir} could not be opened: ${(err as Error).message}. If the folder was copied while Loupe was running, restore a copy made while it was stopped.`, { cause: err });
  }
  await db.exec(`ALTER DATABASE postgres SET search_path TO ${SEARCH_PATH}; SET search_path TO ${SEARCH_PATH};`);
  const server = await servePglite(db);
  const url = `postgres://postgres:postgres@127.0.0.1:${server.port}/postgres`;
  let stopped = false;
  return {
    url,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      releaseLock();
    },
  };
}

/**
 * Two processes writing one PGlite folder would corrupt it, so the folder carries the owner's pid
 * while it is open. A lock left by a process that no longer runs is taken over.
 */
function takeDataDirLock(dataDir: string): () => void {
  const lockFile = join(dataDir, 'loupe.pid');
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && isRunning(pid)) {
      throw new Error(`The data folder ${dataDir} is in use by another Loupe process (pid ${pid}). Stop it first, or set LOUPE_DATA_DIR to another folder.`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
