import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { LoupeConfig } from './config';

/** Injection token of the frozen configuration object. */
export const CONFIG = Symbol('LoupeConfig');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LoupeConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
