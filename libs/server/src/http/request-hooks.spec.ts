import { Logger } from '@nestjs/common';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, useForNest } from '../logging/logging';
import { registerRequestHooks, requestIdFor } from './request-hooks';

describe('request ids', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ logLevel: 'debug', logFormat: 'json', role: 'api' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = Fastify({ genReqId: requestIdFor, requestIdHeader: false });

  beforeAll(async () => {
    useForNest(logger);
    registerRequestHooks(app, { logger, metrics: null });
    // A service deep down logs with Nest's Logger, after the body was read and after awaiting I/O.
    app.post('/work', async (req) => {
      await new Promise((r) => setTimeout(r, 20));
      new Logger('Deep').warn(`handled ${(req.body as { n: number }).n}`);
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    Logger.overrideLogger(false);
  });

  const linesOf = (msg: string) => lines.filter((l) => String(l.msg).includes(msg));

  it('keeps a sane incoming X-Request-Id, returns it, and puts it on every line of that request', async () => {
    const res = await app.inject({ method: 'POST', url: '/work', headers: { 'x-request-id': 'edge-7f3a.1' }, payload: { n: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('edge-7f3a.1');
    expect(linesOf('handled 1')).toEqual([expect.objectContaining({ level: 'warn', context: 'Deep', reqId: 'edge-7f3a.1' })]);
    expect(linesOf('POST /work 200')).toEqual([expect.objectContaining({ level: 'info', reqId: 'edge-7f3a.1', route: '/work', status: 200 })]);
  });

  it('makes one up when none or a strange one is sent, and never mixes two requests up', async () => {
    const [a, b] = await Promise.all([
      app.inject({ method: 'POST', url: '/work', payload: { n: 2 } }),
      app.inject({ method: 'POST', url: '/work', headers: { 'x-request-id': 'no spaces or <tags> here' }, payload: { n: 3 } }),
    ]);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(a.headers['x-request-id']).toMatch(uuid);
    expect(b.headers['x-request-id']).toMatch(uuid);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect(linesOf('handled 2')[0]!.reqId).toBe(a.headers['x-request-id']);
    expect(linesOf('handled 3')[0]!.reqId).toBe(b.headers['x-request-id']);
  });

  it('names the client by a hash on the request line, never by its address', async () => {
    const res = await app.inject({ method: 'POST', url: '/work', remoteAddress: '203.0.113.77', payload: { n: 4 } });
    expect(res.statusCode).toBe(200);
    const [line] = lines.filter((l) => l.reqId === res.headers['x-request-id'] && String(l.msg).startsWith('POST /work'));
    expect(line!.client).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(lines)).not.toContain('203.0.113.77');
  });
});
