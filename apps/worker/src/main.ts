import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigFromProcess, onShutdown, openPlatform, runMain, WorkerModule } from '@loupe/server';

runMain(async () => {
  const config = loadConfigFromProcess('worker');
  // Only the api migrates; a worker started first waits for it by failing and being restarted.
  const platform = await openPlatform(config, { migrate: false });
  const app = await NestFactory.createApplicationContext(WorkerModule.forPlatform(config, platform));
  onShutdown(async () => {
    await app.close();
    await platform.close();
  });
  await app.init();
  process.stdout.write(`Loupe worker is running (queue: ${config.queue.backend}).\n`);
});
