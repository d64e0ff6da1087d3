// `replay`: how long the console's player takes to show a recording in headless Chromium: the first
// frame of a 30-minute recording against a 1-minute one, and a seek to minute 45 of an hour-long
// one against a seek to second 45 of the 1-minute one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, runChild, startLoupe, warningsNote } from '../support.mjs';

const ROUNDS = 3;
const PROCESS_TIMEOUT_MS = 90_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The console as the source tree has it, built into the benchmark's own folder: the build shared by
 * `npm start` and the tests may be older than the code, and is not the benchmark's to replace.
 */
async function buildConsole(ctx) {
  const outDir = join(ctx.outDir, 'console');
  const { build } = await import('vite');
  // React's development build would be measured if NODE_ENV said anything but production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(ctx.root, 'apps/console/vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`the console build left no index.html in ${outDir}`);
  return outDir;
}

export const replay = {
  name: 'replay',
  describe: `the console's player in headless Chromium, each open in a fresh profile: first frame of a 1-minute and a 30-minute recording, then a seek right after the first frame (to 0:45 of the 1-minute one, to 45:00 of a 1-hour one); the median of ${ROUNDS} opens of each, on a PostgreSQL server with Redis`,
  async run(ctx) {
    const labels = { first: 'replay first frame (30 min)', seek: 'replay seek to 45:00 (1 h)' };
    const references = { first: 'first frame of a 1-minute recording', seek: 'seek to 0:45 of the 1-minute recording' };
    const consoleDir = await buildConsole(ctx);
    const loupe = await startLoupe(ctx, { shape: 'server', env: { LOUPE_CONSOLE_DIR: consoleDir } });
    if (loupe.skipped) return Object.keys(labels).map((k) => ({ scenario: labels[k], skipped: loupe.skipped, reference: references[k] }));
    try {
      const out = await runChild(
        ctx.bundle('replay'),
        { fixturesDir: ctx.fixturesDir, base: loupe.base, projectId: loupe.projectId, cookie: loupe.cookie, rounds: ROUNDS, processTimeoutMs: PROCESS_TIMEOUT_MS },
        { env: childEnv(), timeoutMs: 3 * PROCESS_TIMEOUT_MS + 120_000 },
      );
      if (out.skipped) return Object.keys(labels).map((k) => ({ scenario: labels[k], skipped: out.skipped, reference: references[k] }));
      const ff = (key) => median(out.firstFrame[key].map((o) => o.firstFrameMs));
      const seek = (key) => median(out.seek[key].map((o) => o.seekMs));
      const missed = Object.entries(out.seek).flatMap(([key, opens]) => opens.filter((o) => Math.abs(o.landedAt - out.targets[key]) > 1000).map((o) => `${key}: asked for ${out.targets[key]} ms, landed at ${Math.round(o.landedAt)} ms`));
      const s = out.sessions;
      const notes = {
        first: [
          `from the player page's start: ${Math.round(median(out.firstFrame['30min'].map((o) => o.fromPlayerMs)))} ms (30 min) and ${Math.round(median(out.firstFrame['1min'].map((o) => o.fromPlayerMs)))} ms (1 min); ${s['30min'].chunks} and ${s['1min'].chunks} chunks`,
          out.pageErrors.length ? `${out.pageErrors.length} script errors on the page (first: ${out.pageErrors[0].slice(0, 160)})` : null,
          warningsNote('the api', loupe.warnings()),
        ],
        seek: [`first frame of the 1-hour recording ${Math.round(median(out.seek['60min'].map((o) => o.firstFrameMs)))} ms; ${s['60min'].chunks} chunks`, missed.length ? `the seek missed its target: ${missed[0]}` : null],
      };
      const note = (k) => notes[k].filter(Boolean).join('; ');
      return [
        { scenario: labels.first, figure: ff('30min'), unit: 'ms first frame', better: 'lower', reference: references.first, referenceFigure: ff('1min'), note: note('first'), details: out },
        { scenario: labels.seek, figure: seek('60min'), unit: 'ms seek', better: 'lower', reference: references.seek, referenceFigure: seek('1min'), note: note('seek') },
      ];
    } finally {
      await loupe.stop();
    }
  },
};
