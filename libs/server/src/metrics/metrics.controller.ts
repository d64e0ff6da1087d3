import { Controller, Get, HttpException, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { metricsRefusal } from './metrics-access';
import { MetricsService } from './metrics.service';

/** Prometheus's scrape target; described in docs/self-hosting.md rather than in the API reference. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  @Get('metrics')
  async scrape(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const refusal = metricsRefusal(this.config.metricsToken, req.headers, req.socket.remoteAddress);
    if (refusal) throw new HttpException({ statusCode: refusal.status, error: refusal.status === 401 ? 'Unauthorized' : 'Forbidden', message: refusal.message }, refusal.status);
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
