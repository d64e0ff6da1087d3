import { Queue, Worker, createPostgresBackend, withBackend, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * How Loupe reaches BullMQ: Redis when configured, otherwise BullMQ's PostgreSQL backend on Loupe's
 * own database. Everything else in Loupe sees only `Queue` and `Worker`.
 */
export interface QueueConnection {
  readonly backend: 'redis' | 'postgres';
  createQueue(name: string): Queue;
  /** `lockMs`: how long a job stays locked by its worker without a renewal (a killed worker's jobs wait that long, and up to as long again, before another worker takes them). */
  createWorker(name: string, processor: Processor, opts: { concurrency: number; lockMs: number }): Worker;
  close(): Promise<void>;
}

export function redisQueueConnection(url: string, prefix: string): QueueConnection {
  const clients: Redis[] = [];
  // BullMQ needs maxRetriesPerRequest null on blocking connections; workers get their own client.
  const client = () => {
    const c = new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const shared = client();
  return {
    backend: 'redis',
    createQueue: (name) => new Queue(name, { connection: shared, prefix }),
    createWorker: (name, processor, opts) =>
      new Worker(name, processor, { connection: client(), prefix, concurrency: opts.concurrency, lockDuration: opts.lockMs, stalledInterval: opts.lockMs } satisfies WorkerOptions),
    async close() {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

export function postgresQueueConnection(url: string, prefix: string, opts: { embedded: boolean }): QueueConnection {
  const { Queue: PgQueue, Worker: PgWorker } = withBackend(createPostgresBackend);
  /**
   * The embedded database is one session behind a multiplexer: NOTIFY never reaches an idle
   * listener. An idle worker would otherwise sleep until its next delayed job is due (a scheduled
   * sweep, a retry's backoff: up to an hour) while new jobs wait; here it looks again every second.
   */
  class EmbeddedWorker extends PgWorker {
    override get maximumBlockTimeout(): number {
      return 1;
    }
  }
  const WorkerClass = opts.embedded ? EmbeddedWorker : PgWorker;
  // The api migrates BullMQ's schema at start (see the platform); here it is only checked.
  const connection = { connectionString: url, schema: 'bullmq', max: 4 };
  // This backend has no key prefix: the prefix becomes part of each queue's name instead.
  const qualified = (name: string) => `${prefix}_${name}`;
  return {
    backend: 'postgres',
    createQueue: (name) => new PgQueue(qualified(name), { connection }) as unknown as Queue,
    createWorker: (name, processor, o) =>
      new WorkerClass(qualified(name), processor, {
        connection,
        concurrency: o.concurrency,
        lockDuration: o.lockMs,
        stalledInterval: o.lockMs,
        ...(opts.embedded ? { drainDelay: 1 } : {}),
      }) as unknown as Worker,
    // Each queue and worker owns its pool and closes it itself.
    close: () => Promise.resolve(),
  };
}
