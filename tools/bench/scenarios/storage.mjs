// `storage`: bytes Loupe keeps per recorded minute once the worker has processed a recording, next
// to the same batches as JSON, as the gzip the recorder sends, and compressed event by event.
import { childEnv, runChild, startLoupe, warningsNote } from '../support.mjs';

const PROCESS_TIMEOUT_MS = 60_000;
const SHORT = { 'demoit-desktop-81s': 'desktop', 'smartx-mobile-166s': 'mobile' };

export const storage = {
  name: 'storage',
  describe: 'the two real recordings sent as the recorder batches them, on a PostgreSQL server with Redis and the worker in the api; KB stored per recorded minute once processed, against the same batches as JSON, gzip and per-event zlib',
  async run(ctx) {
    const loupe = await startLoupe(ctx, { shape: 'server' });
    if (loupe.skipped) return [{ scenario: 'storage', skipped: loupe.skipped, reference: 'JSON, gzip, per-event zlib' }];
    try {
      const results = await runChild(
        ctx.bundle('storage'),
        { fixturesDir: ctx.fixturesDir, base: loupe.base, publicKey: loupe.publicKey, databaseUrl: loupe.databaseUrl, timeoutMs: PROCESS_TIMEOUT_MS },
        { env: childEnv(), timeoutMs: 2 * PROCESS_TIMEOUT_MS + 30_000 },
      );
      const warned = warningsNote('the api', loupe.warnings());
      return results.flatMap((r) => {
        const perMinute = (bytes) => bytes / 1024 / r.minutes;
        const scenario = `storage (${SHORT[r.fixture] ?? r.fixture})`;
        const figure = perMinute(r.bytes.stored);
        const row = (reference, bytes, extra) => ({ scenario, figure, unit: 'KB/min', better: 'lower', reference, referenceFigure: perMinute(bytes), ...extra });
        const encodings = Object.entries(r.encodings).map(([e, n]) => `${n} ${e}`).join(', ');
        return [
          row('the batches as JSON', r.bytes.json, {
            note: [`${r.events} events over ${(r.minutes * 60).toFixed(0)} s in ${r.batches} batches, stored as ${encodings}; processed ${(r.processedInMs / 1000).toFixed(1)} s after the first batch was sent`, warned].filter(Boolean).join('; '),
            details: r,
          }),
          row('gzip, as sent and received', r.bytes.gzip),
          row('each event zlib-compressed alone', r.bytes.perEvent),
        ];
      });
    } finally {
      await loupe.stop();
    }
  },
};
