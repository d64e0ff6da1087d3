// `queue-postgres` and `queue-redis`: jobs per second through Loupe's QueueService and the worker
// that runs inside the api, next to a bare BullMQ queue and worker on the same store. The work done
// per job (`system.ping` echoes its payload) is nil, so the figure is the queue's own cost.
import { childEnv, deleteRedisKeys, reachable, redact, runChild, tempDir, throwawayDatabase, uniqueId } from '../support.mjs';

// Jobs a round, for a few seconds of load on a 2-core machine: Redis moves some twenty times as
// many jobs a second as BullMQ's PostgreSQL backend, and a PostgreSQL server twice the embedded one.
const JOBS = { embedded: 600, server: 1000, redis: 10_000 };
const SETTINGS = {
  producers: 16,
  // The concurrency Loupe's WorkerService gives each queue.
  concurrency: 4,
  deadlineMs: 15_000,
};
// A warm-up and two measured rounds for each side, each at most `deadlineMs` and 10 s of settling,
// plus start and stop.
const CHILD_TIMEOUT_MS = 6 * (SETTINGS.deadlineMs + 10_000) + 60_000;

const describeLoad = (jobs) =>
  `${jobs} system.ping jobs a round, added by ${SETTINGS.producers} concurrent producers; worker concurrency ${SETTINGS.concurrency}; two rounds`;

/** Queue prefixes no one else uses (Loupe's setting allows lower-case letters and digits). */
const prefixes = () => {
  const id = uniqueId();
  return { queuePrefix: `bench${id}`, referencePrefix: `bench${id}ref` };
};

/**
 * Two rows: jobs per second while the worker is busy, and the slowest pickup, from the first add of
 * a round to its first job handled, which is how long an idle worker takes to notice work.
 */
async function measure({ bundle }, label, variant, input, reference) {
  const jobs = JOBS[variant];
  const out = await runChild(bundle('queue'), { ...SETTINGS, jobs, warmupJobs: jobs / 4, ...input }, { env: childEnv(), timeoutMs: CHILD_TIMEOUT_MS });
  const sides = [
    ['Loupe', out.loupe],
    ['reference', out.reference],
  ];
  const rateNotes = [];
  const pickupNotes = [];
  const slowest = {};
  for (const [who, m] of sides) {
    if (!m.finished) rateNotes.push(`${who}: ${m.completed} of ${m.jobs} jobs handled, a round stopped at ${SETTINGS.deadlineMs / 1000} s`);
    if (m.failed) rateNotes.push(`${who}: ${m.failed} failed`);
    // A round in which no job was handled counts as its whole length: the pickup took at least that.
    slowest[who] = Math.max(...m.rounds.map((r) => r.pickupMs ?? SETTINGS.deadlineMs));
    if (m.rounds.some((r) => r.pickupMs === null)) pickupNotes.push(`${who}: no job was handled within a ${SETTINGS.deadlineMs / 1000} s round, so the pickup took at least that`);
  }
  const note = (notes) => notes.join('; ') || undefined;
  return [
    { scenario: label, figure: out.loupe.jobsPerSecond, unit: 'jobs/s', better: 'higher', reference, referenceFigure: out.reference.jobsPerSecond, note: note(rateNotes), details: out },
    { scenario: label, figure: slowest.Loupe, unit: 'ms pickup', better: 'lower', reference, referenceFigure: slowest.reference, note: note(pickupNotes) },
  ];
}

export const queuePostgres = {
  name: 'queue-postgres',
  describe: `${describeLoad(`${JOBS.embedded} (embedded) or ${JOBS.server} (server)`)}; BullMQ's PostgreSQL backend on the embedded database and on a PostgreSQL server`,
  async run(ctx) {
    const reference = 'bare BullMQ Queue + Worker, PostgreSQL backend';
    const rows = [];
    const data = tempDir('queue-pg');
    try {
      rows.push(...(await measure(ctx, 'queue-postgres (embedded)', 'embedded', { backend: 'postgres', dataDir: data.dir, ...prefixes() }, reference)));
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
    // Not the database here, but Loupe still names a data folder: a temporary one keeps the tree clean.
    const unused = tempDir('queue-pg-server');
    try {
      rows.push(...(await measure(ctx, label, 'server', { backend: 'postgres', databaseUrl: db.url, dataDir: unused.dir, ...prefixes() }, reference)));
    } finally {
      unused.remove();
      await db.drop();
    }
    return rows;
  },
};

export const queueRedis = {
  name: 'queue-redis',
  describe: `${describeLoad(JOBS.redis)}; BullMQ's Redis backend (the database is the embedded one, which the job does not touch)`,
  async run(ctx) {
    const label = 'queue-redis';
    const reference = 'bare BullMQ Queue + Worker, Redis backend';
    if (!(await reachable(ctx.redisUrl))) return [{ scenario: label, skipped: 'Redis not reachable', reference }];
    const names = prefixes();
    const data = tempDir('queue-redis');
    try {
      return await measure(ctx, label, 'redis', { backend: 'redis', redisUrl: ctx.redisUrl, dataDir: data.dir, ...names }, reference);
    } finally {
      data.remove();
      await deleteRedisKeys(ctx.redisUrl, [names.queuePrefix, names.referencePrefix]);
    }
  },
};
