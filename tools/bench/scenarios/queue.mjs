// `queue-postgres` and `queue-redis`: jobs per second through Loupe's QueueService and the worker
// that runs inside the api, next to a bare BullMQ queue and worker on the same store. The work done
// per job (`system.ping` echoes its payload) is nil, so the figure is the queue's own cost.
import { childEnv, emptyRedisDatabase, reachable, runChild, tempDir, throwawayDatabase, uniqueId } from '../support.mjs';

const SETTINGS = {
  jobs: 2000,
  warmupJobs: 200,
  producers: 16,
  // The concurrency Loupe's WorkerService gives each queue.
  concurrency: 4,
  pollMs: 50,
  deadlineMs: 30_000,
};
// Two measurements of at most `deadlineMs` each, plus start and stop.
const CHILD_TIMEOUT_MS = 2 * 2 * SETTINGS.deadlineMs + 30_000;

const describeLoad = `${SETTINGS.jobs} system.ping jobs added by ${SETTINGS.producers} concurrent producers, worker concurrency ${SETTINGS.concurrency}`;

async function measure({ bundle }, label, input, reference) {
  const out = await runChild(bundle('queue'), { ...SETTINGS, ...input }, { env: childEnv(), timeoutMs: CHILD_TIMEOUT_MS });
  const notes = [];
  for (const [who, m] of [
    ['Loupe', out.loupe],
    ['reference', out.reference],
  ]) {
    if (!m.finished) notes.push(`${who}: ${m.completed} of ${m.jobs} done within ${SETTINGS.deadlineMs / 1000} s`);
    if (m.failed) notes.push(`${who}: ${m.failed} failed`);
  }
  return { scenario: label, figure: out.loupe.jobsPerSecond, unit: 'jobs/s', better: 'higher', reference, referenceFigure: out.reference.jobsPerSecond, note: notes.join('; ') || undefined };
}

export const queuePostgres = {
  name: 'queue-postgres',
  describe: `${describeLoad}; BullMQ's PostgreSQL backend on the embedded database and on a PostgreSQL server`,
  async run(ctx) {
    const reference = 'bare BullMQ Queue + Worker, PostgreSQL backend';
    const rows = [];
    const data = tempDir('queue-pg');
    try {
      rows.push(await measure(ctx, 'queue-postgres (embedded)', { backend: 'postgres', dataDir: data.dir, referencePrefix: `bench-${uniqueId()}` }, reference));
    } finally {
      data.remove();
    }

    const label = 'queue-postgres (server)';
    if (!(await reachable(ctx.postgresUrl))) {
      rows.push({ scenario: label, skipped: `PostgreSQL not reachable at ${redact(ctx.postgresUrl)}`, reference });
      return rows;
    }
    let db;
    try {
      db = await throwawayDatabase(ctx.postgresUrl);
    } catch (err) {
      rows.push({ scenario: label, skipped: `cannot create a throw-away database on ${redact(ctx.postgresUrl)}: ${err.message}`, reference });
      return rows;
    }
    const serverData = tempDir('queue-pg-server');
    try {
      rows.push(await measure(ctx, label, { backend: 'postgres', databaseUrl: db.url, dataDir: serverData.dir, referencePrefix: `bench-${uniqueId()}` }, reference));
    } finally {
      serverData.remove();
      await db.drop();
    }
    return rows;
  },
};

export const queueRedis = {
  name: 'queue-redis',
  describe: `${describeLoad}; BullMQ's Redis backend (the database is the embedded one, which the job does not touch)`,
  async run(ctx) {
    const label = 'queue-redis';
    const reference = 'bare BullMQ Queue + Worker, Redis backend';
    if (!(await reachable(ctx.redisUrl))) return [{ scenario: label, skipped: 'Redis not reachable', reference }];
    const redis = await emptyRedisDatabase(ctx.redisUrl);
    if (!redis) return [{ scenario: label, skipped: `no empty logical database on the Redis at ${redact(ctx.redisUrl)}`, reference }];
    const referencePrefix = `bench-${uniqueId()}`;
    const data = tempDir('queue-redis');
    try {
      return [await measure(ctx, label, { backend: 'redis', redisUrl: redis.url, dataDir: data.dir, referencePrefix }, reference)];
    } finally {
      data.remove();
      // Loupe's own key prefix and queue name, as its Redis connection sets them.
      await redis.cleanup(['loupe:system', referencePrefix]);
    }
  },
};

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
