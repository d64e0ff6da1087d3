import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FailedJobsQuery } from '@loupe/contracts';
import { SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { InstanceAdminGuard } from './instance-admin.guard';
import { QueueAdminService } from './queue-admin.service';

@ApiTags('administration')
@Controller('api/v1/admin/queues')
@UseGuards(SessionGuard, InstanceAdminGuard)
@ApiForbiddenResponse({ description: 'The user is not an administrator of this installation.' })
export class QueueAdminController {
  constructor(private readonly queues: QueueAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Every queue with its jobs counted by state', description: 'For instance administrators: the queues carry every organization\'s jobs.' })
  @ApiOkResponse({ description: '`{ queues: [{ name, description, counts: { waiting, active, delayed, prioritized, failed, completed } }] }`' })
  list() {
    return this.queues.list();
  }

  @Get(':queue/failed')
  @ApiQueryOf(FailedJobsQuery)
  @ApiOperation({ summary: 'Failed jobs of a queue, newest first, with their last error' })
  @ApiNotFoundResponse({ description: 'No such queue.' })
  failed(@Param('queue') queue: string, @ValidQuery(FailedJobsQuery) q: FailedJobsQuery) {
    return this.queues.failed(queue, q);
  }

  @Post(':queue/failed/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry every failed job of a queue', description: 'Answers how many failed jobs were put back to wait.' })
  retryAll(@Param('queue') queue: string) {
    return this.queues.retryAll(queue);
  }

  @Post(':queue/failed/:jobId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry one failed job' })
  @ApiNotFoundResponse({ description: 'No such queue, or no such job.' })
  retry(@Param('queue') queue: string, @Param('jobId') jobId: string) {
    return this.queues.retry(queue, jobId);
  }
}
