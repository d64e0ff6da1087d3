import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, startTestApi, type TestApi } from '../../../tools/testing/test-app';

describe('the demo storefront', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(databaseShapes()[0]!.url, { LOUPE_DEMO: 'true' });
    await seedAccount(api);
  });
  afterAll(() => api?.close());

  it('serves pages that load the recorder with the first project key', async () => {
    const [first] = (await api.platform.dataSource.query('SELECT public_key FROM project ORDER BY created_at LIMIT 1')) as Array<{ public_key: string }>;
    for (const path of ['/demo', '/demo/product/lamp', '/demo/cart', '/demo/account']) {
      const res = await request(api.http).get(path).set('host', 'shop.test:8080');
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<script src="http://shop.test:8080/sdk/loupe.js"></script>');
      expect(res.text).toContain(`key: "${first!.public_key}"`);
    }
    const account = await request(api.http).get('/demo/account');
    expect(account.text).toMatch(/type="password"/);
  });

  it('answers an unknown product with a 404', async () => {
    const res = await request(api.http).get('/demo/product/nope').set('accept', 'text/html');
    expect(res.status).toBe(404);
  });

  it('is off unless asked for outside the embedded shape', async () => {
    const off = await startTestApi(databaseShapes()[0]!.url);
    try {
      expect((await request(off.http).get('/demo')).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
