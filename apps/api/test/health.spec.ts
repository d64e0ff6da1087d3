import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { startTestApi, type TestApi } from '../../../tools/testing/test-app';

describe('health when the queue is down', () => {
  let api: TestApi;
  beforeAll(async () => {
    // Nothing listens on port 1: the Redis backend cannot be reached.
    api = await startTestApi(databaseShapes()[0]!.url, { REDIS_URL: 'redis://127.0.0.1:1', LOUPE_INLINE_WORKER: 'false' });
  });
  afterAll(() => api?.close());

  it('answers 503 and names the queue as the failing part', async () => {
    const res = await request(api.http).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.database).toBe('ok');
    expect(res.body.queue).toMatch(/^error: /);
  });
});
