import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigFromProcess, NestPinoLogger, onShutdown, openPlatform, runMain, serveWorkerEndpoints, useForNest, WorkerModule } from '@loupe/server';

runMain(async () => {
  const config = loadConfigFromProcess('worker');
  const logger = createLogger(config);
  useForNest(logger);
  // Only the api migrates; a worker started first waits for it by failing and being restarted.
  const platform = await openPlatform(config, { migrate: false });
  const app = await NestFactory.createApplicationContext(WorkerModule.forPlatform(config, platform), { logger: new NestPinoLogger(logger) });
  let endpoints: Awaited<ReturnType<typeof serveWorkerEndpoints>> | undefined = undefined;
  // Workers stop taking jobs and let the running ones finish (BullMQ's close); a job cut short by
  // the deadline goes back to its queue when its lock expires.
  onShutdown(
    async () => {
      await app.close();
      await endpoints?.close();
      await platform.close();
    },
    { timeoutMs: config.shutdownTimeoutMs },
  );
  await app.init();
  endpoints = await serveWorkerEndpoints(app, config);
  process.stdout.write(`Loupe worker is running (queues: ${config.workerQueues.join(', ')}; on ${config.queue.backend === 'redis' ? 'Redis' : 'PostgreSQL'}). Health and metrics: ${endpoints.url}/healthz, ${endpoints.url}/metrics\n`);
});
