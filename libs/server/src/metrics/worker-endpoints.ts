import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { LoupeConfig } from '../config/config';
import { HealthService } from '../health/health.service';
import { metricsRefusal } from './metrics-access';
import { MetricsService } from './metrics.service';

export interface WorkerEndpoints {
  url: string;
  close(): Promise<void>;
}

/**
 * A worker process has no api, yet its container needs a health check and Prometheus needs its job
 * metrics: it answers `GET /healthz` (database and queue, as the api's) and `GET /metrics` on
 * `LOUPE_WORKER_PORT`, with the same rules for who may read metrics as the api.
 */
export async function serveWorkerEndpoints(app: INestApplicationContext, config: LoupeConfig): Promise<WorkerEndpoints> {
  const health = app.get(HealthService);
  const metrics = app.get(MetricsService);
  const json = (status: number, body: unknown) => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { statusCode: 405, error: 'Method Not Allowed', message: 'Only GET is served here.' });
      if (path === '/healthz') {
        const status = await health.check();
        return json(status.status === 'ok' ? 200 : 503, status);
      }
      if (path === '/metrics') {
        const refusal = metricsRefusal(config.metricsToken, req.headers, req.socket.remoteAddress);
        if (refusal) return json(refusal.status, { statusCode: refusal.status, error: refusal.status === 401 ? 'Unauthorized' : 'Forbidden', message: refusal.message });
        const { contentType, body } = await metrics.render();
        return { status: 200, type: contentType, body };
      }
      return json(404, { statusCode: 404, error: 'Not Found', message: 'A worker answers only /healthz and /metrics; the console and the API are on the api process.' });
    };
    answer()
      .catch((err: unknown) => json(500, { statusCode: 500, error: 'Internal Server Error', message: (err as Error).message }))
      .then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `Port ${config.workerPort} is in use: set LOUPE_WORKER_PORT to a free port (or 0 for any) for each worker on this machine.` : err.message)),
    );
    server.listen(config.workerPort, config.http.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
