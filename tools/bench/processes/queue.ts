// Runs in a child process of the harness: measures jobs per second through Loupe's QueueService and
// inline worker, and through a bare BullMQ queue and worker, on the same store. The harness owns
// the store (a temporary data folder, a throw-away database, key prefixes of its own on Redis) and
// cleans it up, so that a child killed at its deadline leaves nothing behind.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Queue, Worker, createPostgresBackend, withBackend, type Job, type JobsOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { createApiApp, loadConfig, openPlatform, QueueService, type LoupeConfig, type Platform, type QueueConnection } from '@loupe/server';
import type { JobHandlerClass } from '@loupe/server/queue/job-handler';
import { PingJob } from '@loupe/server/system/ping.job';

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
  deadlineMs: number;
  /** LOUPE_QUEUE_PREFIX for Loupe, and the same kind of prefix for the reference: names no one else uses. */
  queuePrefix: string;
  referencePrefix: string;
}

export interface Measurement {
  jobs: number;
  completed: number;
  /** From the first job handled to the last. */
  seconds: number;
  jobsPerSecond: number;
  /** From the first add to the first job handled: how long an idle worker took to notice work. */
  pickupMs: number | null;
  failed: number;
  finished: boolean;
}

export interface QueueBenchOutput {
  loupe: Measurement & { rounds: Measurement[] };
  reference: Measurement & { rounds: Measurement[] };
}

type CountingQueue = Pick<Queue, 'getJobCounts'>;

// Not `delayed`: the benchmark's jobs are never delayed, and Loupe keeps a scheduled job there.
const PENDING = ['waiting', 'active', 'prioritized', 'waiting-children'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Jobs of the current measurement seen by a handler, with the times of the first and the last.
 * Counting in the handler costs nothing, where asking the queue for its counts while it runs slows
 * BullMQ's PostgreSQL backend several times over; and completed jobs cannot be counted afterwards,
 * as Loupe keeps only the last thousand.
 */
class Completions {
  private current: { prefix: string; seen: Set<string>; first?: number; last?: number } | null = null;

  start(prefix: string) {
    this.current = { prefix, seen: new Set() };
    return this.current;
  }

  /** Jobs handled after their round has ended (at its deadline) do not count. */
  stop() {
    this.current = null;
  }

  /** Called by the handler of every job; a job handled twice (a retry) counts once. */
  record(jobId: string | undefined) {
    const c = this.current;
    if (!c || !jobId?.startsWith(c.prefix) || c.seen.has(jobId)) return;
    const now = performance.now();
    c.seen.add(jobId);
    c.first ??= now;
    c.last = now;
  }
}

/**
 * Adds `n` jobs from `producers` concurrent loops while the worker runs. The rate is taken from the
 * first job handled to the last, because a worker idle on the embedded database looks for work only
 * once a second and that wait says nothing of throughput.
 */
async function measure(input: QueueBenchInput, n: number, queue: CountingQueue, completions: Completions, tag: string, add: (jobId: string, i: number) => Promise<unknown>): Promise<Measurement> {
  const failedBefore = (await queue.getJobCounts('failed')).failed ?? 0;
  const prefix = `${tag}-`;
  const run = completions.start(prefix);
  const started = performance.now();
  const deadline = started + input.deadlineMs;
  let next = 0;
  let addError: unknown;
  const producing = Promise.all(
    Array.from({ length: input.producers }, async () => {
      while (next < n && performance.now() < deadline && !addError) {
        const i = next++;
        await add(`${prefix}${i}`, i).catch((err: unknown) => (addError ??= err));
      }
    }),
  );
  while (run.seen.size < n && performance.now() < deadline && !addError) await sleep(5);
  completions.stop();
  await producing;
  if (addError) throw addError;

  const finished = run.seen.size === n;
  const failed = (await settle(queue, finished ? 10_000 : 0)) - failedBefore;

  const completed = run.seen.size;
  const seconds = run.first !== undefined && run.last! > run.first ? (run.last! - run.first) / 1000 : 0;
  return {
    jobs: n,
    completed,
    seconds: round(seconds, 3),
    // Intervals between the first and the last completion: one fewer than the jobs.
    jobsPerSecond: seconds > 0 ? round((completed - 1) / seconds, 1) : 0,
    pickupMs: run.first === undefined ? null : Math.round(run.first - started),
    failed,
    finished,
  };
}

/**
 * Waits, at most `waitMs`, for BullMQ to record the completions whose handlers have returned, and
 * answers the number of failed jobs then.
 */
async function settle(queue: CountingQueue, waitMs: number): Promise<number> {
  const until = performance.now() + waitMs;
  for (;;) {
    const counts = await queue.getJobCounts(...PENDING, 'failed');
    if (PENDING.every((k) => !counts[k]) || performance.now() > until) return counts.failed ?? 0;
    await sleep(50);
  }
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

/** One way of putting jobs on a queue and having them handled: Loupe's, or bare BullMQ's. */
interface Side {
  queue: CountingQueue;
  add(jobId: string, i: number): Promise<unknown>;
  close(): Promise<void>;
}

/** Bare BullMQ with the same connection settings, job options and concurrency as Loupe's queue. */
async function startReference(input: QueueBenchInput, databaseUrl: string, embedded: boolean, completions: Completions): Promise<Side> {
  const prefix = input.referencePrefix;
  const jobOptions = await loupeJobOptions();
  const ping: Processor = async (job: Job<{ message: string }>) => {
    const result = { message: job.data.message, handledBy: process.pid };
    completions.record(job.id);
    return result;
  };
  let queue: Queue;
  let worker: Worker;
  const redisClients: Redis[] = [];
  if (input.backend === 'redis') {
    const client = () => {
      const c = new Redis(input.redisUrl!, { maxRetriesPerRequest: null });
      c.on('error', () => undefined);
      redisClients.push(c);
      return c;
    };
    queue = new Queue('system', { connection: client(), prefix });
    worker = new Worker('system', ping, { connection: client(), prefix, concurrency: input.concurrency });
  } else {
    // As in Loupe: this backend has no key prefix, so the prefix goes into the queue's name.
    const pg = withBackend(createPostgresBackend);
    const connection = { connectionString: databaseUrl, schema: 'bullmq', max: 4 };
    queue = new pg.Queue(`${prefix}_system`, { connection }) as unknown as Queue;
    worker = new pg.Worker(`${prefix}_system`, ping, { connection, concurrency: input.concurrency, ...(embedded ? { drainDelay: 1 } : {}) }) as unknown as Worker;
  }
  queue.on('error', () => undefined);
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return {
    queue,
    add: (jobId, i) => queue.add('system.ping', { message: `bench ${i}` }, { ...jobOptions, jobId }),
    async close() {
      await worker.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** Loupe's api application with its inline worker, as `npm start` runs it (without listening). */
async function startLoupe(config: LoupeConfig, platform: Platform, completions: Completions): Promise<Side> {
  const app = await createApiApp(config, platform, { logger: false });
  // The worker calls the handler instance Nest holds, so wrapping its method sees every job.
  const handler = app.get(PingJob) as JobHandlerClass;
  const handle = handler.handle.bind(handler);
  handler.handle = async (payload, job) => {
    const result = await handle(payload, job);
    completions.record(job.id);
    return result;
  };
  await app.init();
  const queues = app.get(QueueService);
  return {
    queue: queues.queue('system'),
    add: (jobId, i) => queues.add('system.ping', { message: `bench ${i}` }, { jobId }),
    close: () => app.close(),
  };
}

/**
 * Both sides run side by side, each idle while the other is measured. After a warm-up of each,
 * they are measured in the order reference, Loupe, Loupe, reference, so that whatever warms up or
 * slows down during the run (JIT, caches, a growing job table) weighs on both alike.
 */
async function main(input: QueueBenchInput): Promise<QueueBenchOutput> {
  // Platform logs go through Nest's static logger, which the app's `logger: false` does not reach.
  Logger.overrideLogger(false);
  const env: Record<string, string> = { NODE_ENV: 'production', LOUPE_DATA_DIR: input.dataDir, LOUPE_QUEUE_PREFIX: input.queuePrefix, LOUPE_LOG_LEVEL: 'error', LOUPE_INLINE_WORKER: 'true' };
  if (input.databaseUrl) Object.assign(env, { DATABASE_URL: input.databaseUrl, LOUPE_ADMIN_EMAIL: 'bench@loupe.local', LOUPE_ADMIN_PASSWORD: 'bench-password' });
  if (input.backend === 'redis') env.REDIS_URL = input.redisUrl!;
  const config = loadConfig(env, 'api');
  const platform = await openPlatform(config, { migrate: true });
  const runId = randomUUID().slice(0, 8);
  const completions = new Completions();
  const sides: Partial<Record<'reference' | 'loupe', Side>> = {};
  try {
    sides.reference = await startReference(input, platform.databaseUrl, !input.databaseUrl, completions);
    sides.loupe = await startLoupe(config, platform, completions);
    const runs: Record<'reference' | 'loupe', Measurement[]> = { reference: [], loupe: [] };
    const run = (who: 'reference' | 'loupe', tag: string, n: number) => measure(input, n, sides[who]!.queue, completions, `${runId}-${who}-${tag}`, (id, i) => sides[who]!.add(id, i));
    await run('reference', 'warmup', input.warmupJobs);
    await run('loupe', 'warmup', input.warmupJobs);
    for (const [k, who] of (['reference', 'loupe', 'loupe', 'reference'] as const).entries()) runs[who].push(await run(who, `run${k}`, input.jobs));
    return { loupe: combine(runs.loupe), reference: combine(runs.reference) };
  } finally {
    await sides.loupe?.close();
    await sides.reference?.close();
    await platform.close();
  }
}

/**
 * The rounds taken together: jobs handled over time spent handling them, so a round in which the
 * worker never woke up adds nothing rather than a zero; its `pickupMs` and `finished` tell of it.
 */
function combine(rounds: Measurement[]): Measurement & { rounds: Measurement[] } {
  const sum = (f: (r: Measurement) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const pickups = rounds.map((r) => r.pickupMs).filter((p): p is number => p !== null);
  return {
    jobs: sum((r) => r.jobs),
    completed: sum((r) => r.completed),
    seconds: round(seconds, 3),
    jobsPerSecond: seconds > 0 ? round(sum((r) => (r.seconds > 0 ? r.completed - 1 : 0)) / seconds, 1) : 0,
    pickupMs: pickups.length === rounds.length ? Math.max(...pickups) : null,
    failed: sum((r) => r.failed),
    finished: rounds.every((r) => r.finished),
    rounds,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const input = JSON.parse(process.argv[2] ?? '{}') as QueueBenchInput;
main(input).then(
  // Exits once the answer is sent: a pool still closing must not hold the harness up.
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1)),
);
