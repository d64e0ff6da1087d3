// A container's health check, without curl in the image: `node docker/healthcheck.mjs [api|worker]`.
// The api answers /healthz on PORT, a worker on LOUPE_WORKER_PORT. Without an argument it asks the
// api, and a worker when nothing listens on the api's port, so the image's own HEALTHCHECK suits both.
const ports = { api: process.env.PORT || '8080', worker: process.env.LOUPE_WORKER_PORT || '8081' };
const role = process.argv[2];

async function healthy(port) {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  const body = await res.text();
  if (!res.ok) console.error(`/healthz on port ${port} answered ${res.status}: ${body}`);
  return res.ok;
}

try {
  process.exit((await healthy(role === 'worker' ? ports.worker : ports.api)) ? 0 : 1);
} catch (err) {
  if (!role && err?.cause?.code === 'ECONNREFUSED') {
    try {
      process.exit((await healthy(ports.worker)) ? 0 : 1);
    } catch (again) {
      console.error(`neither the api (port ${ports.api}) nor a worker (port ${ports.worker}) answers: ${again?.cause?.message ?? again.message}`);
      process.exit(1);
    }
  }
  console.error(`/healthz did not answer: ${err?.cause?.message ?? err.message}`);
  process.exit(1);
}
