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

/** Starts a server, warms it up, loads it, and stops it; a non-200 answer makes the figure void. */
async function measure(server, url) {
  try {
    await waitForHttp(url, server);
    await load(url, WARMUP_SECONDS);
    const r = await load(url, SECONDS);
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) throw new Error(`${bad} of ${r.requests.total + r.errors} requests failed or did not answer 200 (${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
    return { rps: r.requests.average, p99: r.latency.p99 };
  } finally {
    await server.stop();
  }
}

export const healthz = {
  name: 'healthz',
  describe: `GET /healthz: ${CONNECTIONS} connections for ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up`,
  async run({ bundle }) {
    const data = tempDir('healthz');
    try {
      const loupePort = await freePort();
      const loupe = await measure(
        startServer(bundle('api'), [], childEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(loupePort), LOUPE_DATA_DIR: data.dir, LOUPE_LOG_LEVEL: 'error' })),
        `http://127.0.0.1:${loupePort}/healthz`,
      );
      const barePort = await freePort();
      const bare = await measure(startServer(bundle('bare-http'), [String(barePort), '127.0.0.1'], childEnv()), `http://127.0.0.1:${barePort}/healthz`);
      const reference = 'bare Fastify route, same JSON';
      return [
        { scenario: 'healthz', figure: loupe.rps, unit: 'req/s', better: 'higher', reference, referenceFigure: bare.rps },
        { scenario: 'healthz', figure: loupe.p99, unit: 'ms p99', better: 'lower', reference, referenceFigure: bare.p99 },
      ];
    } finally {
      data.remove();
    }
  },
};
