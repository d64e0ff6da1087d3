import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { databaseShapes } from './databases';
import { startTestApi, type TestApi } from './test-app';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const consoleDir = join(root, 'dist/apps/console');

/** Builds the console unless the build on disk is newer than every source file of it. */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = join(consoleDir, 'index.html');
  const sources = [join(root, 'apps/console/index.html'), join(root, 'apps/console/vite.config.ts')];
  for (const f of readdirSync(join(root, 'apps/console/src'), { recursive: true, encoding: 'utf8' })) sources.push(join(root, 'apps/console/src', f));
  const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  // Vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'apps/console/vite.config.ts'), logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/** The real api serving the built console on a loopback port, on the run's embedded database. */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<{ api: TestApi; base: string }> {
  await ensureConsoleBuilt();
  const api = await startTestApi(databaseShapes()[0]!.url, { LOUPE_CONSOLE_DIR: consoleDir, ...env });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  return { api, base: `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}` };
}
