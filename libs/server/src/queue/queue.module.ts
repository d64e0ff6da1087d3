import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { QueueConnection } from './queue-connection';
import { QUEUE_CONNECTION, QueueService } from './queue.service';
import { WorkerService } from './worker.service';

@Global()
@Module({})
export class QueueModule {
  static forConnection(connection: QueueConnection, opts: { runWorkers: boolean }): DynamicModule {
    return {
      module: QueueModule,
      imports: opts.runWorkers ? [DiscoveryModule] : [],
      providers: [{ provide: QUEUE_CONNECTION, useValue: connection }, QueueService, ...(opts.runWorkers ? [WorkerService] : [])],
      exports: [QueueService, QUEUE_CONNECTION],
    };
  }
}
