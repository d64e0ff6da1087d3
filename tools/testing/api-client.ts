import request from 'supertest';
import type { IngestBatch } from '@loupe/contracts/recording';
import { QueueService } from '@loupe/server';
import { gz } from './recordings';
import type { SeededAccount, TestApi } from './test-app';

/** A console session cookie for the account, as the browser would send it. */
export async function loginCookie(api: TestApi, account: Pick<SeededAccount, 'email' | 'password'>): Promise<string> {
  const login = await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: account.password });
  return ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
}

/** Posts one batch the way the SDK does (gzip body, key in the query). */
export const postBatch = (api: TestApi, key: string | undefined, body: Buffer | IngestBatch, type = 'application/octet-stream') =>
  request(api.http)
    .post(`/v1/ingest${key ? `?key=${key}` : ''}`)
    .set('content-type', type)
    .send(Buffer.isBuffer(body) ? body : gz(body));

/**
 * The session's detail once every chunk is processed and analysed, polling the API as the console
 * does; on timeout the error says what the queues hold, to tell a slow worker from a failed job.
 */
export async function waitProcessed(api: TestApi, projectId: string, cookie: string, sessionId: string, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const r = await request(api.http).get(`/api/v1/sessions/${sessionId}?project=${projectId}`).set('cookie', cookie);
    if (r.status === 200 && r.body.session.processed && r.body.session.eventCount > 0) return r.body;
    if (Date.now() - started > timeoutMs) {
      const queues = await Promise.all(
        (['recordings', 'analysis'] as const).map(async (name) => {
          const queue = api.app.get(QueueService).queue(name);
          return { name, counts: await queue.getJobCounts(), failures: (await queue.getFailed()).slice(0, 3).map((j) => j.failedReason) };
        }),
      );
      throw new Error(`session ${sessionId} not processed: ${JSON.stringify(r.body)}; queues ${JSON.stringify(queues)}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** A new API key of the project, made through the API as an admin would; returns the `Authorization` header value. */
export async function apiKeyHeader(api: TestApi, adminCookie: string, projectId: string, scope: 'read' | 'write' | 'admin'): Promise<string> {
  const r = await request(api.http).post(`/api/v1/projects/${projectId}/api-keys`).set('cookie', adminCookie).send({ name: `test ${scope}`, scope });
  if (r.status !== 201) throw new Error(`API key not made: ${r.status} ${JSON.stringify(r.body)}`);
  return `Bearer ${r.body.secret}`;
}
