import { Controller, Get, Headers, HttpCode, Options, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SdkConfig } from '@loupe/contracts/recording';
import { allowCaller } from '../ingest/ingest.controller';
import { SdkConfigService } from './sdk-config.service';

@ApiTags('ingest')
@Controller('v1/config')
export class SdkConfigController {
  constructor(private readonly config: SdkConfigService) {}

  @Get()
  @ApiOperation({ summary: 'What the SDK needs from the server', description: "Read by the browser SDK when a page starts recording, with the project's public key. Everything in it is public." })
  @ApiQuery({ name: 'key', description: "The project's public key (or the X-Loupe-Key header).", required: false })
  @ApiOkResponse({ description: '`{ "v": 1, ...sections }`' })
  async get(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('key') queryKey: string | undefined,
    @Headers('x-loupe-key') headerKey: string | undefined,
  ): Promise<SdkConfig> {
    const config = await this.config.forKey(headerKey ?? queryKey, req.headers.origin);
    void reply.header('cache-control', 'public, max-age=60');
    return config;
  }

  @Options()
  @HttpCode(204)
  preflight(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    allowCaller(req, reply);
    void reply.header('access-control-allow-methods', 'GET, OPTIONS').header('access-control-allow-headers', 'x-loupe-key').header('access-control-max-age', '86400');
  }
}
