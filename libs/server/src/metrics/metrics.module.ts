import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** The process's metrics; `http` adds the api's `/metrics` route (a worker serves its own, see worker-endpoints.ts). */
@Global()
@Module({})
export class MetricsModule {
  static register(opts: { http: boolean }): DynamicModule {
    return { module: MetricsModule, providers: [MetricsService], controllers: opts.http ? [MetricsController] : [], exports: [MetricsService] };
  }
}
