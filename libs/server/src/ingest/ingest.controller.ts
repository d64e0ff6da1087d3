import { Controller, Headers, HttpCode, Inject, Options, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiConsumes, ApiOperation, ApiPayloadTooLargeResponse, ApiQuery, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IngestAccepted } from '@loupe/contracts';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { clientKey, RateLimits } from '../http/rate-limits';
import { IngestService } from './ingest.service';

/**
 * Browsers on any site may post here: the project's allowed origins are enforced by the service
 * (403), and the answer reveals nothing, so CORS simply reflects the caller's origin.
 */
export function allowCaller(req: FastifyRequest, reply: FastifyReply): void {
  const origin = req.headers.origin;
  if (origin) void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  void reply.header('access-control-expose-headers', 'Retry-After');
}

@ApiTags('ingest')
@Controller('v1/ingest')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly limits: RateLimits,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Store one recorded batch', description: 'The body is the gzip-compressed JSON of one batch (see the SDK docs). Writes only; the public key cannot read anything.' })
  @ApiConsumes('application/octet-stream', 'text/plain')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQuery({ name: 'key', description: "The project's public key (or the X-Loupe-Key header).", required: false })
  @ApiAcceptedResponse({ description: '`{"accepted":true,"duplicate":false}`; a retry of a stored batch answers `duplicate: true` and stores nothing.' })
  @ApiBadRequestResponse({ description: 'Malformed gzip, JSON, envelope or events.' })
  @ApiUnauthorizedResponse({ description: 'Unknown key.' })
  @ApiPayloadTooLargeResponse({ description: 'Over a size limit, or a decompression bomb.' })
  @ApiTooManyRequestsResponse({ description: 'Over the batches allowed a minute for this key or this address; retry after Retry-After seconds.' })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable; retry after Retry-After seconds.' })
  async post(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('key') queryKey: string | undefined,
    @Headers('x-loupe-key') headerKey: string | undefined,
  ): Promise<IngestAccepted> {
    const key = headerKey ?? queryKey;
    // The address first: a flood with made-up keys is stopped before any key is looked up.
    await this.limits.consume('ingestClient', clientKey(req.ip));
    if (key) await this.limits.consume('ingestKey', key.slice(0, 100));
    const country = this.config.countryHeader ? req.headers[this.config.countryHeader] : undefined;
    return this.ingest.ingest({ key, origin: req.headers.origin, userAgent: req.headers['user-agent'], country: Array.isArray(country) ? country[0] : country, body: req.body });
  }

  @Options()
  @HttpCode(204)
  preflight(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    allowCaller(req, reply);
    void reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-loupe-key')
      .header('access-control-max-age', '86400');
  }
}
