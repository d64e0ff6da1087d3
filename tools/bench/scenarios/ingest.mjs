// `ingest`: recorded events per second through `POST /v1/ingest` on the real api, next to a bare
// Fastify server that does the least that stores a batch, under the same load.
import { childEnv, freePort, reachable, redact, runChild, startLoupe, startServer, throwawayDatabase, waitForHttp, warningsNote } from '../support.mjs';

const CONNECTIONS = 16;
const WARMUP_SECONDS = 1;
const SECONDS = 5;
const REFERENCE = 'bare Fastify: gunzip, JSON.parse, one INSERT';

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Rounds run in one load process, one after the other; the servers stay up between them. */
async function load(ctx, rounds) {
  const timeoutMs = rounds.reduce((s, r) => s + r.seconds, 0) * 1000 + 60_000;
  return runChild(ctx.bundle('ingest-load'), { fixturesDir: ctx.fixturesDir, connections: CONNECTIONS, rounds }, { env: childEnv(), timeoutMs });
}

const ingestUrl = (loupe) => `${loupe.base}/v1/ingest?key=${loupe.publicKey}`;

/**
 * Batches refused or unanswered are left out of the figures (only 202s count) and told in the note:
 * a server that answers fast by refusing must not pass for a fast one.
 */
function problems(who, rounds) {
  const sum = (f) => rounds.reduce((s, r) => s + f(r), 0);
  const [refused, errors, timeouts] = [sum((r) => r.refused), sum((r) => r.errors), sum((r) => r.timeouts)];
  if (!refused && !errors && !timeouts) return null;
  const sample = rounds.flatMap((r) => r.samples)[0];
  return `${who}: ${refused} of ${refused + sum((r) => r.batches)} batches refused, ${errors} connection errors, ${timeouts} timeouts${sample ? ` (first: ${sample.slice(0, 160)})` : ''}`;
}

function rows(label, loupeRounds, referenceRounds, warnings, extraNote) {
  const batches = loupeRounds.reduce((s, r) => s + r.batches, 0);
  const events = loupeRounds.reduce((s, r) => s + r.events, 0);
  const rate = (rounds) => Math.round(mean(rounds.map((r) => r.batchesPerSecond)));
  const p50 = (rounds) => Math.round(mean(rounds.map((r) => r.p50)));
  const note = [
    `${rate(loupeRounds)} batches/s of ${(events / Math.max(batches, 1)).toFixed(1)} events on average, p50 ${p50(loupeRounds)} ms (reference: ${rate(referenceRounds)} batches/s, p50 ${p50(referenceRounds)} ms)`,
    problems('Loupe', loupeRounds),
    problems('reference', referenceRounds),
    warningsNote('the api', warnings),
    extraNote,
  ];
  const details = { loupe: loupeRounds, reference: referenceRounds };
  return [
    { scenario: label, figure: mean(loupeRounds.map((r) => r.eventsPerSecond)), unit: 'events/s', better: 'higher', reference: REFERENCE, referenceFigure: mean(referenceRounds.map((r) => r.eventsPerSecond)), note: note.filter(Boolean).join('; '), details },
    { scenario: label, figure: mean(loupeRounds.map((r) => r.p99)), unit: 'ms p99', better: 'lower', reference: REFERENCE, referenceFigure: mean(referenceRounds.map((r) => r.p99)) },
  ];
}

const warmup = (label, url) => ({ label: `${label} warm-up`, url, seconds: WARMUP_SECONDS });
const measured = (label, url) => ({ label, url, seconds: SECONDS });

export const ingest = {
  name: 'ingest',
  describe: `POST /v1/ingest with the recordings cut as the recorder cuts them, ${CONNECTIONS} connections each sending one visit after another, ${SECONDS} s a round after ${WARMUP_SECONDS} s of warm-up; the mean of two rounds, on a PostgreSQL server with Redis (no worker running) and on the embedded default (worker inside)`,
  async run(ctx) {
    const labels = { server: 'ingest (PostgreSQL + Redis)', embedded: 'ingest (embedded)' };
    if (!(await reachable(ctx.postgresUrl))) {
      // The reference stores into a PostgreSQL server: without one there is nothing to compare with.
      return Object.values(labels).map((scenario) => ({ scenario, skipped: `PostgreSQL not reachable at ${redact(ctx.postgresUrl)}`, reference: REFERENCE }));
    }
    const stops = [];
    try {
      const refDb = await throwawayDatabase(ctx.postgresUrl);
      stops.push(() => refDb.drop());
      const refPort = await freePort();
      const bare = startServer(ctx.bundle('bare-ingest'), [String(refPort), '127.0.0.1', refDb.url], childEnv());
      stops.push(() => bare.stop());
      const refUrl = `http://127.0.0.1:${refPort}/v1/ingest`;
      await waitForHttp(`http://127.0.0.1:${refPort}/healthz`, bare);

      // Rounds in the order reference, Loupe ×2 on the server, Loupe ×2 embedded, reference: the
      // reference brackets both shapes. Each Loupe is stopped once measured, so that nothing of it
      // (the embedded one's worker draining what it was sent) runs beside another's load. Rows are
      // made at the end, once both reference rounds are in.
      const reference = [];
      const later = [];
      const server = await startLoupe(ctx, { shape: 'server', inlineWorker: false });
      if (server.skipped) {
        later.push(() => [{ scenario: labels.server, skipped: server.skipped, reference: REFERENCE }]);
        reference.push((await load(ctx, [warmup('reference', refUrl), measured('reference', refUrl)]))[1]);
      } else {
        stops.push(() => server.stop());
        const url = ingestUrl(server);
        const out = await load(ctx, [warmup('reference', refUrl), warmup('Loupe', url), measured('reference', refUrl), measured('Loupe', url), measured('Loupe', url)]);
        // Taken before stopping: what a process logs while it shuts down was not said under load.
        const warnings = server.warnings();
        await server.stop();
        reference.push(out[2]);
        later.push(() => rows(labels.server, out.slice(3), reference, warnings));
      }

      const embedded = await startLoupe(ctx, { shape: 'embedded' });
      stops.push(() => embedded.stop());
      const url = ingestUrl(embedded);
      const out = await load(ctx, [warmup('Loupe', url), measured('Loupe', url), measured('Loupe', url)]);
      const warnings = embedded.warnings();
      await embedded.stop();
      later.push(() => rows(labels.embedded, out.slice(1), reference, warnings, 'the worker runs in the same process, as it does on the embedded default, and drains what was sent meanwhile'));

      reference.push(...(await load(ctx, [measured('reference', refUrl)])));
      return later.flatMap((make) => make());
    } finally {
      for (const stop of stops.reverse()) await stop().catch((err) => console.error(`ingest cleanup: ${err.message}`));
    }
  },
};
