// Bundles the browser SDK: dist/sdk/loupe.js, a minified script that defines window.Loupe (what the
// api serves at /sdk/loupe.js), and dist/sdk/loupe.mjs, the same API as an ES module.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;

async function bundle(root, input, file, format) {
  const b = await rolldown({
    cwd: root,
    input,
    platform: 'browser',
    tsconfig: 'tsconfig.json',
    logLevel: 'warn',
    // rrweb carries a copy of PostCSS whose dead branches read `process.env`, which browsers lack.
    transform: { define: { 'process.env.NODE_ENV': '"production"', 'process.env.LANG': 'undefined' } },
  });
  // `hidden`: the map is written for debugging, but pages do not ask for it.
  // Pure-call annotations help a bundler that takes in the ES module; the script needs none.
  await b.write({ file, format, minify: true, sourcemap: 'hidden', comments: { legal: true, annotation: format === 'esm', jsdoc: false } });
  await b.close();
}

export async function buildSdk({ root = process.cwd(), outDir = join(root, 'dist/sdk'), quiet = false } = {}) {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  await bundle(root, 'libs/recorder/src/browser.ts', join(outDir, 'loupe.js'), 'iife');
  await bundle(root, 'libs/recorder/src/index.ts', join(outDir, 'loupe.mjs'), 'esm');
  const code = readFileSync(join(outDir, 'loupe.js'));
  const sizes = { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, ms: Date.now() - started };
  if (!quiet) console.log(`sdk built in ${sizes.ms} ms: loupe.js ${kB(sizes.minified)} minified, ${kB(sizes.gzip)} gzip`);
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildSdk();
}
