import { Injectable } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';

@Injectable()
@JobHandler('system.ping')
export class PingJob implements JobHandlerClass<JobPayloads['system.ping'], JobResults['system.ping']> {
  async handle(payload: JobPayloads['system.ping']): Promise<JobResults['system.ping']> {
    return { message: payload.message, handledBy: process.pid };
  }
}
