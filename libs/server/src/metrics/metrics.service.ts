import { Inject, Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { QUEUES } from '../queue/queue.definitions';
import { QueueService, withTimeout } from '../queue/queue.service';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * This process's Prometheus metrics, served at `/metrics` (the api on its port, a worker on
 * `LOUPE_WORKER_PORT`). A registry per application rather than prom-client's global one, so that
 * tests can run several applications in one process.
 *
 * Queue depth is a fact of the shared queue, not of a process: only api processes report it, and
 * every api replica reports the same numbers (aggregate with `max`, not `sum`). Job durations and
 * failures are counted where jobs run: in each worker process, or in the api with an inline worker.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'loupe_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly ingestRequests = new Counter({
    name: 'loupe_ingest_requests_total',
    help: 'Batches posted to /v1/ingest, by status (202 accepted; 4xx refused; 503 database unavailable).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly ingestBytes = new Counter({
    name: 'loupe_ingest_received_bytes_total',
    help: 'Compressed bytes of the batches posted to /v1/ingest, accepted or not.',
    registers: [this.registry],
  });

  readonly ingestEvents = new Counter({
    name: 'loupe_ingest_events_total',
    help: 'Recorded events in the batches stored by /v1/ingest (retries of a stored batch not counted).',
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'loupe_job_duration_seconds',
    help: 'Time a job took to run in this process, by queue, job and outcome (completed or failed).',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobWait = new Histogram({
    name: 'loupe_job_wait_seconds',
    help: 'Time from a job being added (or becoming due) to this process starting it: the queue lag.',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  readonly jobsFailed = new Counter({
    name: 'loupe_jobs_failed_total',
    help: 'Job attempts that threw in this process, by queue and job (a job is retried up to 5 times).',
    labelNames: ['queue', 'job'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(CONFIG) config: LoupeConfig,
    db: DataSource,
    @Optional() @Inject(QueueService) queues: QueueService | undefined,
  ) {
    this.registry.setDefaultLabels({ role: config.role });
    if (config.env !== 'test') collectDefaultMetrics({ register: this.registry });
    const pool = () => (db.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    new Gauge({
      name: 'loupe_database_pool_connections',
      help: 'Connections of this process to PostgreSQL: open (total), idle, and requests waiting for one.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    new Gauge({
      name: 'loupe_database_pool_max',
      help: 'The most connections this process opens to PostgreSQL (DATABASE_POOL_SIZE).',
      registers: [this.registry],
      collect() {
        this.set(config.database.poolSize);
      },
    });
    if (config.role === 'api' && queues) {
      new Gauge({
        name: 'loupe_queue_jobs',
        help: 'Jobs in each queue by state, as the queue reports them (the same from every api replica).',
        labelNames: ['queue', 'state'] as const,
        registers: [this.registry],
        async collect() {
          // A queue that does not answer leaves its gauges out of this scrape rather than failing it.
          await Promise.all(
            QUEUES.map(async (queue) => {
              const counts = await withTimeout(queues.queue(queue).getJobCounts(...QUEUE_STATES), 2000, 'the queue did not answer in time').catch(() => null);
              if (counts) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
            }),
          );
        },
      });
    }
  }

  /** One job run, as its worker saw it. */
  jobRan(queue: string, job: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobDuration.observe({ queue, job, outcome }, seconds);
    if (outcome === 'failed') this.jobsFailed.inc({ queue, job });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
