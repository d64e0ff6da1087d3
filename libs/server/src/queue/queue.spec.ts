import { randomUUID } from 'node:crypto';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes, redisUrl } from '../../../../tools/testing/databases';
import { loadConfig } from '../config/config';
import { openPlatform, type Platform } from '../runtime/platform';
import { WorkerModule } from '../runtime/api.module';
import { QueueService } from './queue.service';
import { collectHandlers } from './worker.service';
import { JOB_HANDLER } from './job-handler';
import type { DiscoveryService } from '@nestjs/core';

interface Backend {
  name: string;
  env: Record<string, string>;
}

const backends: Backend[] = databaseShapes().map((db) => ({ name: `PostgreSQL backend on the ${db.name} database`, env: { DATABASE_URL: db.url } }));
const redis = redisUrl();
const redisBackend: Backend | null = redis ? { name: 'Redis backend', env: { DATABASE_URL: databaseShapes()[0]!.url, REDIS_URL: redis } } : null;

async function waitForResult(queue: Queue, job: Job, timeoutMs = 20_000): Promise<unknown> {
  const started = Date.now();
  for (;;) {
    const state = await queue.getJobState(job.id!);
    // Read the job after seeing it completed: a copy fetched before may predate its result.
    if (state === 'completed') return (await queue.getJob(job.id!))!.returnvalue;
    const fresh = await queue.getJob(job.id!);
    if (state === 'failed') throw new Error(`job failed: ${fresh!.failedReason}`);
    if (Date.now() - started > timeoutMs) throw new Error(`job still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function roundTrip(backend: Backend) {
  describe(backend.name, () => {
    let platform: Platform;
    let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;
    let queue: QueueService;

    beforeAll(async () => {
      const config = loadConfig({ NODE_ENV: 'test', LOUPE_LOG_LEVEL: 'error', LOUPE_QUEUE_PREFIX: `q${randomUUID().slice(0, 8)}`, ...backend.env }, 'worker');
      platform = await openPlatform(config, { migrate: false });
      app = await NestFactory.createApplicationContext(WorkerModule.forPlatform(config, platform), { logger: false });
      await app.init();
      queue = app.get(QueueService);
    });
    afterAll(async () => {
      await app?.close();
      await platform?.close();
    });

    it('carries a job to the worker and its result back', async () => {
      const message = `hello ${randomUUID()}`;
      const job = await queue.add('system.ping', { message });
      expect(await waitForResult(queue.queue('system'), job)).toEqual({ message, handledBy: process.pid });
    });

    it('picks up a new job within seconds while a delayed one waits its turn', async () => {
      // A scheduled sweep or a retry's backoff leaves a delayed job on the queue.
      await queue.add('system.ping', { message: 'later' }, { delay: 60_000 });
      await new Promise((r) => setTimeout(r, 1500));
      const started = Date.now();
      const job = await queue.add('system.ping', { message: 'now' });
      expect(await waitForResult(queue.queue('system'), job, 10_000)).toMatchObject({ message: 'now' });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('ignores a second job with the same id, so retried adds are harmless', async () => {
      const jobId = `ping-${randomUUID()}`;
      const first = await queue.add('system.ping', { message: 'first' }, { jobId });
      const second = await queue.add('system.ping', { message: 'second' }, { jobId });
      expect(second.id).toBe(first.id);
      expect(await waitForResult(queue.queue('system'), first)).toMatchObject({ message: 'first' });
      const counts = await queue.queue('system').getJobCounts('completed', 'waiting', 'active');
      expect(counts.waiting + counts.active).toBe(0);
    });
  });
}

describe('queue round trip', () => {
  for (const b of backends) roundTrip(b);
  if (redisBackend) roundTrip(redisBackend);
  // With CI=true the global setup already failed the run; elsewhere the gap shows as skipped.
  else it.skip('Redis backend (Redis is not reachable here)', () => undefined);
});

describe('workers dedicated to some queues', () => {
  it('take jobs only from their queues', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOUPE_LOG_LEVEL: 'error', LOUPE_QUEUE_PREFIX: `q${randomUUID().slice(0, 8)}`, LOUPE_WORKER_QUEUES: 'recordings,maintenance', ...backends[0]!.env }, 'worker');
    const platform = await openPlatform(config, { migrate: false });
    const app = await NestFactory.createApplicationContext(WorkerModule.forPlatform(config, platform), { logger: false });
    try {
      await app.init();
      const queue = app.get(QueueService);
      const job = await queue.add('system.ping', { message: 'nobody here takes system jobs' });
      await new Promise((r) => setTimeout(r, 2500));
      expect(await queue.queue('system').getJobState(job.id!)).toBe('waiting');
    } finally {
      await app.close();
      await platform.close();
    }
  });

  it('refuse to start when a job of their queues has no handler, and do not ask for other queues\' handlers', () => {
    const ping = { instance: { handle: async () => ({}) }, metatype: class {} };
    Reflect.defineMetadata(JOB_HANDLER, 'system.ping', ping.metatype);
    const discovery = { getProviders: () => [ping] } as unknown as DiscoveryService;
    expect(collectHandlers(discovery, ['system']).has('system.ping')).toBe(true);
    expect(() => collectHandlers(discovery, ['system', 'recordings'])).toThrow('The worker cannot start: job recording.process-chunk has no handler.');
    expect(() => collectHandlers(discovery, ['maintenance'])).toThrow(/^The worker cannot start: job recording.sweep has no handler; job alerts.check has no handler; job webhook.deliver has no handler; job feedback.forward-missed has no handler; job partitions.maintain has no handler; job retention.apply has no handler\.$/);
  });
});
