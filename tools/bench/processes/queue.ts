// Runs in a child process of the harness: measures jobs per second through a bare BullMQ queue and
// worker, then through Loupe's QueueService and inline worker, on the same store. The harness owns
// the store (a temporary data folder, a throw-away database, an empty Redis database) and cleans it
// up, so that a child killed at its deadline leaves nothing behind.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Queue, Worker, createPostgresBackend, withBackend, type Job, type JobsOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { createApiApp, loadConfig, openPlatform, QueueService, type QueueConnection } from '@loupe/server';

export interface QueueBenchInput {
  backend: 'postgres' | 'redis';
  /** Unset: the embedded database in `dataDir`. */
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  jobs: number;
  warmupJobs: number;
  /** Adds kept in flight at once, as many request handlers would. */
  producers: number;
  concurrency: number;
  pollMs: number;
  deadlineMs: number;
  /** BullMQ key prefix of the reference queue, so the harness can remove its keys from Redis. */
  referencePrefix: string;
}

export interface Measurement {
  jobs: number;
  completed: number;
  seconds: number;
  jobsPerSecond: number;
  failed: number;
  finished: boolean;
}

export interface QueueBenchOutput {
  loupe: Measurement;
  reference: Measurement;
}

type CountingQueue = Pick<Queue, 'getJobCounts'>;

const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Adds `n` jobs from `producers` concurrent loops while the worker runs, and counts completions by
 * polling the queue. Completed jobs cannot be counted directly: Loupe removes them beyond the last
 * thousand. The rate is taken from the first completion seen to the last, because a worker idle on
 * the embedded database looks for work only once a second and that wait says nothing of throughput.
 */
async function measure(input: QueueBenchInput, n: number, queue: CountingQueue, add: (i: number) => Promise<unknown>): Promise<Measurement> {
  const failedBefore = (await queue.getJobCounts('failed')).failed ?? 0;
  const started = performance.now();
  const deadline = started + input.deadlineMs;
  let next = 0;
  let added = 0;
  let addError: unknown;
  const producing = Promise.all(
    Array.from({ length: input.producers }, async () => {
      while (next < n && performance.now() < deadline && !addError) {
        const i = next++;
        try {
          await add(i);
          added++;
        } catch (err) {
          addError = err;
        }
      }
    }),
  );

  let first: { at: number; done: number } | undefined;
  let last = { at: started, done: 0 };
  let failed = 0;
  for (;;) {
    await sleep(input.pollMs);
    const addedBefore = added;
    const counts = await queue.getJobCounts(...PENDING, 'failed');
    const at = performance.now();
    failed = (counts.failed ?? 0) - failedBefore;
    const pending = PENDING.reduce((sum, k) => sum + (counts[k] ?? 0), 0);
    // An add that resolves while the counts are read can make this briefly low, never high.
    const done = Math.max(0, addedBefore - pending - failed);
    if (done > 0 && !first) first = { at, done };
    last = { at, done };
    if (addError) break;
    if (addedBefore === n && pending === 0) break;
    if (at > deadline) break;
  }
  await producing;
  if (addError) throw addError;

  const finished = last.done + failed >= n;
  const window = first && last.at > first.at ? { seconds: (last.at - first.at) / 1000, jobs: last.done - first.done } : { seconds: (last.at - started) / 1000, jobs: last.done };
  return {
    jobs: n,
    completed: last.done,
    seconds: round(window.seconds, 3),
    jobsPerSecond: window.seconds > 0 ? round(window.jobs / window.seconds, 1) : 0,
    failed,
    finished,
  };
}

/** The options QueueService gives a job, read from Loupe itself so the reference follows any change. */
async function loupeJobOptions(): Promise<JobsOptions> {
  let seen: JobsOptions = {};
  const probe = {
    add: async (_name: string, _data: unknown, opts: JobsOptions) => {
      seen = opts;
      return {};
    },
    on: () => probe,
  };
  const connection = { backend: 'postgres', createQueue: () => probe, createWorker: () => undefined, close: async () => undefined } as unknown as QueueConnection;
  await new QueueService(connection).add('system.ping', { message: 'options' });
  return seen;
}

const ping: Processor = async (job: Job<{ message: string }>) => ({ message: job.data.message, handledBy: process.pid });

/** Bare BullMQ with the same connection settings, job options and concurrency as Loupe's queue. */
async function reference(input: QueueBenchInput, databaseUrl: string, embedded: boolean, runId: string): Promise<Measurement> {
  const name = `bench-${runId}`;
  const prefix = input.referencePrefix;
  const jobOptions = await loupeJobOptions();
  let queue: Queue;
  let worker: Worker;
  const redisClients: Redis[] = [];
  if (input.backend === 'redis') {
    const client = () => {
      const c = new Redis(input.redisUrl!, { maxRetriesPerRequest: null });
      redisClients.push(c);
      return c;
    };
    queue = new Queue(name, { connection: client(), prefix });
    worker = new Worker(name, ping, { connection: client(), prefix, concurrency: input.concurrency });
  } else {
    const pg = withBackend(createPostgresBackend);
    const connection = { connectionString: databaseUrl, schema: 'bullmq', max: 4 };
    queue = new pg.Queue(name, { connection, prefix }) as unknown as Queue;
    worker = new pg.Worker(name, ping, { connection, prefix, concurrency: input.concurrency, ...(embedded ? { drainDelay: 1 } : {}) }) as unknown as Worker;
  }
  queue.on('error', () => undefined);
  worker.on('error', () => undefined);
  try {
    await worker.waitUntilReady();
    const add = (tag: string) => (i: number) => queue.add('system.ping', { message: `bench ${i}` }, { ...jobOptions, jobId: `${runId}-ref-${tag}-${i}` });
    await measure(input, input.warmupJobs, queue, add('warmup'));
    return await measure(input, input.jobs, queue, add('run'));
  } finally {
    await worker.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

async function main(input: QueueBenchInput): Promise<QueueBenchOutput> {
  // Platform logs go through Nest's static logger, which the app's `logger: false` does not reach.
  Logger.overrideLogger(false);
  const env: Record<string, string> = { NODE_ENV: 'production', LOUPE_DATA_DIR: input.dataDir, LOUPE_LOG_LEVEL: 'error', LOUPE_INLINE_WORKER: 'true' };
  if (input.databaseUrl) Object.assign(env, { DATABASE_URL: input.databaseUrl, LOUPE_ADMIN_EMAIL: 'bench@loupe.local', LOUPE_ADMIN_PASSWORD: 'bench-password' });
  if (input.backend === 'redis') env.REDIS_URL = input.redisUrl!;
  const config = loadConfig(env, 'api');
  const platform = await openPlatform(config, { migrate: true });
  const runId = randomUUID().slice(0, 8);
  try {
    // The reference runs first, before Loupe's worker exists, so that neither sees the other's polling.
    const ref = await reference(input, platform.databaseUrl, !input.databaseUrl, runId);
    const app = await createApiApp(config, platform, { logger: false });
    try {
      await app.init();
      const queues = app.get(QueueService);
      const add = (tag: string) => (i: number) => queues.add('system.ping', { message: `bench ${i}` }, { jobId: `${runId}-loupe-${tag}-${i}` });
      await measure(input, input.warmupJobs, queues.queue('system'), add('warmup'));
      const loupe = await measure(input, input.jobs, queues.queue('system'), add('run'));
      return { loupe, reference: ref };
    } finally {
      await app.close();
    }
  } finally {
    await platform.close();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const input = JSON.parse(process.argv[2] ?? '{}') as QueueBenchInput;
main(input).then(
  // Exits once the answer is sent: a pool still closing must not hold the harness up.
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1)),
);
