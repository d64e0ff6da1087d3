import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleUrl, createApiApp, createLogger, FirstRunService, loadConfigFromProcess, onShutdown, openPlatform, runMain, useForNest, type LoupeConfig, type FirstRunResult } from '@loupe/server';

const here = dirname(fileURLToPath(import.meta.url));

runMain(async () => {
  // The console is built beside the api (dist/apps/console next to dist/apps/api).
  const config = loadConfigFromProcess('api', { LOUPE_CONSOLE_DIR: join(here, '..', 'console'), LOUPE_SDK_DIR: join(here, '..', '..', 'sdk') });
  const logger = createLogger(config);
  useForNest(logger);
  const platform = await openPlatform(config, { migrate: true });
  const app = await createApiApp(config, platform, { logger });
  // Closing the app stops listening, lets in-flight requests (ingest included) finish, then stops
  // the inline workers, which let their jobs finish; the database closes last.
  onShutdown(
    async () => {
      await app.close();
      await platform.close();
    },
    { timeoutMs: config.shutdownTimeoutMs },
  );
  const firstRun = await app.get(FirstRunService).ensureAdmin();
  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  process.stdout.write(banner(config, port, firstRun));
});

function banner(config: LoupeConfig, port: number, firstRun: FirstRunResult): string {
  const url = consoleUrl(config, port);
  const admin = config.admin;
  const login = admin?.isEmbeddedDefault
    ? `${admin.email} / ${admin.password}   (the embedded defaults; set LOUPE_ADMIN_EMAIL and LOUPE_ADMIN_PASSWORD before the first start to choose your own)`
    : `${firstRun.adminEmail ?? admin?.email ?? 'the admin account'} with the password set in LOUPE_ADMIN_PASSWORD`;
  const lines = [
    '',
    'Loupe is running.',
    `  Console:    ${url}/`,
    `  Log in:     ${login}`,
    firstRun.defaultProject ? `  Ingest key: ${firstRun.defaultProject.publicKey} (${firstRun.defaultProject.name})` : '',
    config.demo ? `  Demo store: ${url}/demo   (click around, then watch your visit under Sessions)` : '',
    `  API docs:   ${url}/api/docs`,
    `  Database:   ${config.database.mode === 'embedded' ? `embedded, in ${config.database.dataDir}` : 'PostgreSQL server'}; queue: ${config.queue.backend === 'redis' ? 'Redis' : 'PostgreSQL'}${config.runWorkerInApi ? ', worker in this process' : ''}`,
    '',
  ];
  return lines.filter((l, i) => l !== '' || i === 0 || i === lines.length - 1).join('\n') + '\n';
}
