import { Module } from '@nestjs/common';
import { RecordingsRepository } from './recordings.repository';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { RecurringJobs } from '../queue/recurring-jobs';

@Module({
  controllers: [SessionsController],
  providers: [RecordingsRepository, SessionsRepository, SessionsService, RecurringJobs],
  exports: [RecordingsRepository, SessionsRepository],
})
export class RecordingsModule {}
