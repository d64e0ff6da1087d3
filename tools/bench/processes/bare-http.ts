// The floor for `healthz`: Fastify alone answering the body Loupe's health check answers when all is
// well, with no Nest, no database and no queue behind it.
import Fastify from 'fastify';
import type { HealthStatus } from '@loupe/contracts';

const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
const body: HealthStatus = { status: 'ok', database: 'ok', queue: 'ok' };

const app = Fastify({ logger: false });
app.get('/healthz', async () => body);
await app.listen({ port, host });

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
