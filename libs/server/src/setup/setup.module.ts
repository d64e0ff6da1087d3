import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { FirstRunService } from './first-run.service';

@Module({ imports: [AdminModule], providers: [FirstRunService], exports: [FirstRunService] })
export class SetupModule {}
