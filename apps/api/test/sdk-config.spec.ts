import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.each(databaseShapes())('the SDK configuration endpoint on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
  });
  afterAll(() => api?.close());

  it('answers a page of any allowed origin with the public configuration, cacheable for a minute', async () => {
    const res = await request(api.http).get(`/v1/config?key=${account.project.publicKey}`).set('origin', 'https://shop.example.com');
    expect(res.status).toBe(200);
    expect(res.body.v).toBe(1);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    const byHeader = await request(api.http).get('/v1/config').set('x-loupe-key', account.project.publicKey);
    expect(byHeader.status).toBe(200);
  });

  it('refuses an unknown key and an origin the project does not allow', async () => {
    const unknown = await request(api.http).get('/v1/config?key=pk_nobody_has_this_key');
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toMatch(/Unknown project key/);
    const strict = await seedAccount(api);
    await api.platform.dataSource.query(`UPDATE project SET settings = '{"recording":{"allowedOrigins":["https://shop.example.com"]}}' WHERE id = $1`, [strict.project.id]);
    const refused = await request(api.http).get(`/v1/config?key=${strict.project.publicKey}`).set('origin', 'https://evil.example.net');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/allowed origins/);
  });
});
