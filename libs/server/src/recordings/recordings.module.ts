import { Module } from '@nestjs/common';
import { RecordingsRepository } from './recordings.repository';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { SweepScheduler } from './sweep.job';

@Module({
  controllers: [SessionsController],
  providers: [RecordingsRepository, SessionsRepository, SessionsService, SweepScheduler],
  exports: [RecordingsRepository, SessionsRepository],
})
export class RecordingsModule {}
