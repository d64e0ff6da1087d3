import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HealthStatus } from '@loupe/contracts';
import { QueueService, withTimeout } from '../queue/queue.service';

@Injectable()
export class HealthService {
  constructor(
    private readonly db: DataSource,
    private readonly queue: QueueService,
  ) {}

  async check(): Promise<HealthStatus> {
    const [database, queue] = await Promise.all([
      probe(() => withTimeout(this.db.query('SELECT 1'), 2000, 'the database did not answer in time')),
      probe(() => this.queue.ping(2000)),
    ]);
    return { status: database === 'ok' && queue === 'ok' ? 'ok' : 'error', database, queue };
  }
}

async function probe(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message || String(err)}`;
  }
}
