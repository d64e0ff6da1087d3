import fastifyCookie from '@fastify/cookie';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import type { Logger as Pino } from 'pino';
import type { LoupeConfig } from '../config/config';
import { INGEST_LIMITS } from '@loupe/contracts/recording';
import { FEEDBACK_LIMITS } from '@loupe/contracts/feedback';
import { registerBodyParsers } from '../http/body-parsers';
import { HttpErrorFilter } from '../http/http-error.filter';
import { registerRequestHooks, requestIdFor } from '../http/request-hooks';
import { registerCrossOriginProtection } from '../http/cross-origin';
import { registerSecurityHeaders } from '../http/security-headers';
import { allowCaller } from '../ingest/ingest.controller';
import { createLogger, NestPinoLogger } from '../logging/logging';
import { MetricsService } from '../metrics/metrics.service';
import { ApiModule } from './api.module';
import type { Platform } from './platform';

/**
 * Builds the api application (not yet listening): used by the api's main and by the API tests.
 * `logger`: the process's logger (one is made from the configuration when absent), or false for none.
 */
export async function createApiApp(config: LoupeConfig, platform: Platform, opts: { logger?: false | Pino } = {}): Promise<NestFastifyApplication> {
  const logger = opts.logger === false ? null : (opts.logger ?? createLogger(config));
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    // The body parsers enforce each route's own limit; this is only the ceiling.
    bodyLimit: 256 * 1024 * 1024,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // One line per request is written by the request hooks, with the route and the duration.
    logController: new LogController({ disableRequestLogging: true }),
    ...(logger ? { loggerInstance: logger.child({ context: 'Fastify' }) } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forPlatform(config, platform), adapter, {
    logger: logger ? new NestPinoLogger(logger) : false,
    bufferLogs: false,
    // Loupe registers its own body parsers, with per-route limits (see http/body-parsers.ts).
    bodyParser: false,
  });
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  registerRequestHooks(fastify, { logger, metrics: app.get(MetricsService) });
  registerSecurityHeaders(fastify, { httpsOnly: config.http.publicUrl?.startsWith('https:') });
  registerCrossOriginProtection(fastify, { publicUrl: config.http.publicUrl });
  registerBodyParsers(fastify, {
    defaultBytes: 1024 * 1024,
    byPathPrefix: [
      { prefix: '/v1/ingest', bytes: INGEST_LIMITS.maxCompressedBytes },
      { prefix: '/v1/feedback', bytes: FEEDBACK_LIMITS.bodyBytes },
      { prefix: '/api/v1/sessions/import', bytes: 256 * 1024 * 1024 },
    ],
  });
  // Set before the body is read, so that even a refused body (413) can be read by the recorder.
  fastify.addHook('onRequest', (req, reply, done) => {
    if (req.url.startsWith('/v1/')) allowCaller(req, reply);
    done();
  });
  const consoleDir = config.consoleDir && existsSync(config.consoleDir) ? config.consoleDir : undefined;
  app.useGlobalFilters(new HttpErrorFilter(consoleDir));
  if (consoleDir) app.useStaticAssets({ root: consoleDir, prefix: '/', index: ['index.html'], wildcard: false });
  if (config.sdkDir && existsSync(config.sdkDir)) {
    // A script tag loads it from any site without CORS.
    app.useStaticAssets({ root: config.sdkDir, prefix: '/sdk/', decorateReply: !consoleDir, wildcard: false });
  }

  const doc = new DocumentBuilder()
    .setTitle('Loupe API')
    .setDescription('Record visits, replay them, and find where people struggle. `/v1/*` takes what browsers send with a public project key; `/api/v1/*` needs a console session or an API key.')
    .setVersion('0.1.0')
    .addCookieAuth('loupe_session')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
