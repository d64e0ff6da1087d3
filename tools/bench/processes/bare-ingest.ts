// The floor for `ingest`: Fastify alone doing the least that stores a batch (gunzip, JSON.parse and
// one INSERT of the compressed bytes), with no Nest, no key, no checks, no session row and no queue.
//
//   node bare-ingest.js PORT HOST DATABASE_URL
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import Fastify from 'fastify';
import pg from 'pg';
import { INGEST_LIMITS } from '@loupe/contracts/recording';

const gunzipAsync = promisify(gunzip);
const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
const databaseUrl = process.argv[4]!;

// Loupe's pool size (DATABASE_POOL_SIZE) when nothing is set.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query(`CREATE TABLE IF NOT EXISTS bench_chunk (
  id bigserial PRIMARY KEY,
  session_id text NOT NULL,
  seq int NOT NULL,
  event_count int NOT NULL,
  body bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
)`);

const app = Fastify({ logger: false, bodyLimit: INGEST_LIMITS.maxCompressedBytes });
app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/v1/ingest', async (req, reply) => {
  const body = req.body as Buffer;
  const json = await gunzipAsync(body, { maxOutputLength: INGEST_LIMITS.maxDecompressedBytes });
  const batch = JSON.parse(json.toString('utf8')) as { sessionId: string; seq: number; events: unknown[] };
  await pool.query('INSERT INTO bench_chunk (session_id, seq, event_count, body) VALUES ($1, $2, $3, $4)', [batch.sessionId, batch.seq, batch.events.length, body]);
  return reply.code(202).send({ accepted: true, duplicate: false });
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port, host });

const stop = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
