import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { HealthStatus } from '@loupe/contracts';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('healthz')
  @ApiOkResponse({ description: 'Database and queue are reachable.' })
  @ApiServiceUnavailableResponse({ description: 'The failing part is named.' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthStatus> {
    const status = await this.health.check();
    reply.status(status.status === 'ok' ? 200 : 503);
    return status;
  }
}
