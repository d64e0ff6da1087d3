// Bundles the api and the worker into dist/apps/*/main.js. Only Loupe's own code is bundled:
// every package stays an import of node_modules, so NestJS's optional requires keep working.
import { rolldown } from 'rolldown';

const isOwn = (id) => id.startsWith('.') || id.startsWith('/') || id.startsWith('@loupe/') || id.startsWith('@oxc-project/runtime') || id.startsWith('\0');

export async function buildServer({ root = process.cwd(), sourcemap = true } = {}) {
  const started = Date.now();
  const bundle = await rolldown({
    cwd: root,
    input: { 'api/main': 'apps/api/src/main.ts', 'worker/main': 'apps/worker/src/main.ts' },
    platform: 'node',
    tsconfig: 'tsconfig.json',
    external: (id) => !isOwn(id),
    logLevel: 'warn',
  });
  await bundle.write({ dir: `${root}/dist/apps`, format: 'esm', sourcemap, entryFileNames: '[name].js', chunkFileNames: 'server/[name]-[hash].js' });
  await bundle.close();
  return Date.now() - started;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await buildServer();
  console.log(`server built in ${ms} ms`);
}
