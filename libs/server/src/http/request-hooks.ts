import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { requestContext } from '../logging/logging';
import type { MetricsService } from '../metrics/metrics.service';
import { clientKey } from './rate-limits';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming request id may look like to be kept: anything else is replaced, not echoed. */
const KEEPABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Fastify's `genReqId`: the caller's (or the proxy's) `X-Request-Id` when it is sane, a new UUID otherwise. */
export function requestIdFor(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && KEEPABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Routes that machines call all the time: a success there is logged at debug, not info. */
const MACHINE_ROUTES = new Set(['/healthz', '/metrics', '/v1/ingest']);

/**
 * Every request: its id in the response and in every log line written while it is answered, one
 * log line when it is done, and its duration in the metrics. The line names the client by a hash
 * of its address (enough to see one client's requests together), never by the address.
 */
export function registerRequestHooks(fastify: FastifyInstance, opts: { logger: Pino | null; metrics: MetricsService | null }): void {
  const { logger, metrics } = opts;
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    requestContext.enterWith({ reqId: req.id });
    // No id or filter of Loupe's may hold a NUL character, and PostgreSQL cannot take one in text.
    if (/%00/i.test(req.url)) return done(Object.assign(new Error('The address holds a NUL character (%00), which no id or filter may contain. Remove it and try again.'), { statusCode: 400, code: 'LOUPE_NUL_IN_URL' }));
    done();
  });
  // Again once the body is read: reading it resumes in the socket's context, not the request's.
  fastify.addHook('preHandler', (req, _reply, done) => {
    requestContext.enterWith({ reqId: req.id });
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    if (metrics) {
      metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      if (route === '/v1/ingest' && req.method === 'POST') {
        metrics.ingestRequests.inc({ status: String(status) });
        metrics.ingestBytes.inc(Buffer.isBuffer(req.body) ? req.body.length : Number(req.headers['content-length']) || 0);
      }
    }
    if (logger) {
      const level = MACHINE_ROUTES.has(route) && status < 400 ? 'debug' : 'info';
      const path = req.url.split('?')[0];
      logger[level]({ reqId: req.id, context: 'Http', method: req.method, path, route, status, ms: Math.round(reply.elapsedTime * 10) / 10, client: clientKey(req.ip).slice(0, 12) }, `${req.method} ${path} ${status}`);
    }
    done();
  });
}
