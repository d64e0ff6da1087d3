// Builds everything `npm start` serves: the console (Vite), then the api and worker bundles.
import { existsSync } from 'node:fs';
import { build as viteBuild } from 'vite';
import { buildServer } from './build-server.mjs';

export async function buildAll({ root = process.cwd(), quiet = false } = {}) {
  const say = (m) => quiet || console.log(m);
  const t0 = Date.now();
  const consoleConfig = `${root}/apps/console/vite.config.ts`;
  if (existsSync(consoleConfig)) {
    await viteBuild({ configFile: consoleConfig, logLevel: quiet ? 'silent' : 'warn' });
    say(`console built in ${Date.now() - t0} ms`);
  }
  await (await import('./build-sdk.mjs')).buildSdk({ root, quiet });
  const ms = await buildServer({ root });
  say(`api and worker built in ${ms} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll();
}
