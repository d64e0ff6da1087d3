import { Module } from '@nestjs/common';
import { InstanceAdminGuard } from './instance-admin.guard';
import { InstanceAdminsRepository } from './instance-admins.repository';
import { QueueAdminController } from './queue-admin.controller';
import { QueueAdminService } from './queue-admin.service';

/** What instance administrators see and do across organizations: today, the queues. */
@Module({
  controllers: [QueueAdminController],
  providers: [InstanceAdminsRepository, InstanceAdminGuard, QueueAdminService],
  exports: [InstanceAdminsRepository],
})
export class AdminModule {}
