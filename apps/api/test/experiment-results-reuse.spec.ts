import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOUPE_TAGS, type RecordedEvent } from '@loupe/contracts/recording';
import { loupe, mutation, pageview } from '@loupe/replay/testing';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const SHOP = 'https://shop.example.com';
const KEY = 'banner';

const exposure = (ts: number, variant: string) => loupe(ts, LOUPE_TAGS.exposure, { experiment: KEY, variant });
const purchase = (ts: number, amount: number) => loupe(ts, LOUPE_TAGS.track, { name: 'purchase', props: { amount } });

const definition = (over: Record<string, unknown> = {}) => ({
  key: KEY,
  name: 'Banner',
  status: 'running',
  variants: [
    { key: 'control', weight: 0.5 },
    { key: 'b', weight: 0.5 },
  ],
  primaryMetric: { key: 'purchase', kind: 'conversion', event: 'purchase' },
  secondaryMetrics: [{ key: 'revenue', kind: 'property', event: 'purchase', property: 'amount', aggregate: 'sum' }],
  guardrailMetrics: [],
  ...over,
});

describe.each(databaseShapes())('experiment results reused for a minute on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  let experimentId: string;
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;

  const results = (query = '') => request(api.http).get(`/api/v1/experiments/${experimentId}/results?project=${account.project.id}${query}`).set('cookie', cookie);
  const put = (body: unknown) => request(api.http).put(`/api/v1/experiments/${experimentId}?project=${account.project.id}`).set('cookie', cookie).send(body as object);
  const figures = async (query = '') => {
    const res = await results(query);
    expect(res.status).toBe(200);
    return {
      exposures: res.body.exposures,
      metrics: (res.body.metrics as Array<{ key: string; variants: Array<{ variant: string; n: number; sum: number }> }>).map((m) => ({
        key: m.key,
        variants: m.variants.map((v) => ({ variant: v.variant, n: v.n, sum: v.sum })),
      })),
    };
  };

  async function visit(events: RecordedEvent[]) {
    const sessionId = newId();
    const res = await postBatch(api, account.project.publicKey, batch(events, { sessionId, visitorId: newId(), seq: 0, sentAt: events[events.length - 1]!.timestamp }));
    expect(res.status).toBe(202);
    await waitProcessed(api, account.project.id, cookie, sessionId);
  }

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    const created = await request(api.http).post(`/api/v1/experiments?project=${account.project.id}`).set('cookie', cookie).send(definition());
    expect(created.status).toBe(201);
    experimentId = created.body.experiment.id;
    await visit([pageview(at(100), SHOP), exposure(at(99), 'control'), purchase(at(90), 10), mutation(at(89))]);
  });
  afterAll(() => api?.close());

  it('answers a repeated view from the sums it measured, whatever the engine settings, and measures again once the definition changes', async () => {
    const first = await figures();
    expect(first.exposures).toEqual([
      { variant: 'control', visitors: 1 },
      { variant: 'b', visitors: 0 },
    ]);
    expect(first.metrics).toEqual([
      { key: 'purchase', variants: [{ variant: 'control', n: 1, sum: 1 }, { variant: 'b', n: 0, sum: 0 }] },
      { key: 'revenue', variants: [{ variant: 'control', n: 1, sum: 10 }, { variant: 'b', n: 0, sum: 0 }] },
    ]);

    await visit([pageview(at(80), SHOP), exposure(at(79), 'b'), purchase(at(70), 25), mutation(at(69))]);
    // Within the minute the stored sums are reused, for the list and for other settings alike.
    expect(await figures()).toEqual(first);
    expect(await figures('&engine=bayesian')).toEqual(first);
    const list = await request(api.http).get(`/api/v1/experiments?project=${account.project.id}`).set('cookie', cookie);
    expect(list.status).toBe(200);

    // A new definition is measured afresh, with the metrics it has now.
    const changed = await put(definition({ name: 'Banner, renamed', secondaryMetrics: [] }));
    expect(changed.status).toBe(200);
    const after = await figures();
    expect(after.exposures).toEqual([
      { variant: 'control', visitors: 1 },
      { variant: 'b', visitors: 1 },
    ]);
    expect(after.metrics).toEqual([{ key: 'purchase', variants: [{ variant: 'control', n: 1, sum: 1 }, { variant: 'b', n: 1, sum: 1 }] }]);
  });
});
