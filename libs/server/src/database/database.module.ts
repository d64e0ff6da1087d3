import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Provides the one TypeORM `DataSource`. It is created and migrated before Nest starts (see the
 * runtime), so that a failing database stops boot with a clear message rather than a stack trace.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forDataSource(dataSource: DataSource): DynamicModule {
    return { module: DatabaseModule, providers: [{ provide: DataSource, useValue: dataSource }], exports: [DataSource] };
  }
}
