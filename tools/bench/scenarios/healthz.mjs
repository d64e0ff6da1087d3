// `healthz`: the cost of one request through Loupe's whole HTTP stack (Fastify, Nest, a database
// query and a queue check), next to Fastify answering the same body with no checks.
import autocannon from 'autocannon';
import { childEnv, freePort, startServer, tempDir, waitForHttp } from '../support.mjs';

const CONNECTIONS = 10;
const WARMUP_SECONDS = 1;
const SECONDS = 5;

function load(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** One round of load; an answer other than 200 makes the figure void. */
async function round(url) {
  const r = await load(url, SECONDS);
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad > 0) throw new Error(`${url}: ${bad} requests failed or did not answer 200 (${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

export const healthz = {
  name: 'healthz',
  describe: `GET /healthz with ${CONNECTIONS} connections, ${SECONDS} s a round after ${WARMUP_SECONDS} s of warm-up; the mean of two rounds`,
  async run({ bundle }) {
    const data = tempDir('healthz');
    const servers = [];
    try {
      const [loupePort, barePort] = [await freePort(), await freePort()];
      const loupe = startServer(bundle('apps/api/main'), [], childEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(loupePort), LOUPE_DATA_DIR: data.dir, LOUPE_LOG_LEVEL: 'error' }));
      servers.push(loupe);
      const bare = startServer(bundle('bare-http'), [String(barePort), '127.0.0.1'], childEnv());
      servers.push(bare);
      const urls = { loupe: `http://127.0.0.1:${loupePort}/healthz`, reference: `http://127.0.0.1:${barePort}/healthz` };
      await waitForHttp(urls.loupe, loupe);
      await waitForHttp(urls.reference, bare);
      for (const url of Object.values(urls)) await load(url, WARMUP_SECONDS);

      // Both servers stay up, each idle while the other is loaded; this order weighs drift on both alike.
      const rounds = { loupe: [], reference: [] };
      for (const who of ['reference', 'loupe', 'loupe', 'reference']) rounds[who].push(await round(urls[who]));

      const reference = 'bare Fastify route, same JSON';
      const details = rounds;
      return [
        { scenario: 'healthz', figure: mean(rounds.loupe.map((r) => r.rps)), unit: 'req/s', better: 'higher', reference, referenceFigure: mean(rounds.reference.map((r) => r.rps)), details },
        { scenario: 'healthz', figure: mean(rounds.loupe.map((r) => r.p99)), unit: 'ms p99', better: 'lower', reference, referenceFigure: mean(rounds.reference.map((r) => r.p99)), details },
      ];
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      data.remove();
    }
  },
};
