import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOUPE_TAGS, type RecordedEvent } from '@loupe/contracts/recording';
import { loupe, mutation, pageview } from '@loupe/replay/testing';
import { SweepJob } from '@loupe/server';
import { analyzeExperiment } from '@loupe/stats';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const SHOP = 'https://shop.example.com';
const KEY = 'checkout-v2';

const exposure = (ts: number, variant: string, experiment = KEY) => loupe(ts, LOUPE_TAGS.exposure, { experiment, variant });
const purchase = (ts: number, amount: number) => loupe(ts, LOUPE_TAGS.track, { name: 'purchase', props: { amount } });

const definition = (over: Record<string, unknown> = {}) => ({
  key: KEY,
  name: 'One-page checkout',
  hypothesis: 'A single checkout page sells more',
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

describe.each(databaseShapes())('experiment results from stored events on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  let experimentId: string;
  let funnelId: string;
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;
  /** Session ids by what each visit is, to check the replay filter. */
  const s = Object.fromEntries(['v1', 'v2before', 'v2', 'v3', 'v4a', 'v4b', 'v5', 'v6', 'v7', 'stray'].map((k) => [k, newId()])) as Record<string, string>;

  const get = (path: string, c = cookie) => request(api.http).get(path).set('cookie', c);
  const results = (query = '') => get(`/api/v1/experiments/${experimentId}/results?project=${account.project.id}${query}`);
  const sessions = async (query: string) =>
    ((await get(`/api/v1/sessions?project=${account.project.id}&${query}`)).body.sessions as Array<{ id: string }>).map((x) => x.id).sort();

  async function visit(sessionId: string, visitorId: string, events: RecordedEvent[]) {
    const res = await postBatch(api, account.project.publicKey, batch(events, { sessionId, visitorId, seq: 0, sentAt: events[events.length - 1]!.timestamp }));
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
    // Cart, then a purchase in the same visit: completing it is a purchase after a cart view.
    const funnel = await request(api.http)
      .post(`/api/v1/funnels?project=${account.project.id}`)
      .set('cookie', cookie)
      .send({ name: 'Cart to purchase', steps: [{ type: 'page', pageKey: '/cart' }, { type: 'event', name: 'purchase' }] });
    expect(funnel.status, JSON.stringify(funnel.body)).toBe(201);
    funnelId = funnel.body.funnel.id;

    // Known truth. control: v1 buys 10 after exposure; v2 bought 15 in an earlier visit, before
    // exposure (does not count); v3 only sees it; v4 is exposed to control, later to b in another
    // visit (the first exposure holds) and buys 30. b: v5 buys 20 and 5, v6 buys 40, v7 only sees it.
    // One more visitor reports a variant the experiment does not have.
    const [v1, v2, v3, v4, v5, v6, v7] = Array.from({ length: 7 }, () => newId());
    await visit(s.v1!, v1!, [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'control'), purchase(at(90), 10), mutation(at(89))]);
    await visit(s.v2before!, v2!, [pageview(at(300), `${SHOP}/cart`), purchase(at(295), 15), mutation(at(290))]);
    await visit(s.v2!, v2!, [pageview(at(100), `${SHOP}/cart`), exposure(at(98), 'control'), mutation(at(90))]);
    await visit(s.v3!, v3!, [pageview(at(100), `${SHOP}/cart`), exposure(at(97), 'control'), mutation(at(90))]);
    await visit(s.v4a!, v4!, [pageview(at(200), `${SHOP}/cart`), exposure(at(199), 'control'), mutation(at(190))]);
    await visit(s.v4b!, v4!, [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'b'), purchase(at(80), 30), mutation(at(79))]);
    await visit(s.v5!, v5!, [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'b'), purchase(at(90), 20), purchase(at(85), 5), mutation(at(84))]);
    await visit(s.v6!, v6!, [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'b'), exposure(at(98), 'b'), purchase(at(70), 40), mutation(at(69))]);
    await visit(s.v7!, v7!, [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'b'), mutation(at(90))]);
    await visit(s.stray!, newId(), [pageview(at(100), `${SHOP}/cart`), exposure(at(99), 'c'), purchase(at(90), 99), mutation(at(89))]);
  });
  afterAll(() => api?.close());

  it('records one exposure per visitor, the first one, linked to its session', async () => {
    const rows: Array<{ variant: string; session_id: string }> = await api.platform.dataSource.query(
      'SELECT variant, session_id FROM experiment_exposure WHERE project_id = $1 AND experiment_key = $2 ORDER BY session_id',
      [account.project.id, KEY],
    );
    expect(rows).toHaveLength(8);
    const bySession = Object.fromEntries(rows.map((r) => [r.session_id, r.variant]));
    expect(bySession).toEqual({ [s.v1!]: 'control', [s.v2!]: 'control', [s.v3!]: 'control', [s.v4a!]: 'control', [s.v5!]: 'b', [s.v6!]: 'b', [s.v7!]: 'b', [s.stray!]: 'c' });
  });

  it('counts only what visitors did after their exposure, and matches the engine on the hand-computed sums', async () => {
    const res = await results();
    expect(res.status).toBe(200);
    expect(res.body.exposures).toEqual([
      { variant: 'control', visitors: 4 },
      { variant: 'b', visitors: 3 },
    ]);
    expect(res.body.unknownVariantExposures).toBe(1);
    const [conversion, revenue] = res.body.metrics;
    expect(conversion).toMatchObject({ key: 'purchase', role: 'primary', type: 'proportion', inverse: false });
    expect(conversion.variants).toEqual([
      { variant: 'control', n: 4, sum: 2, denominator: null, value: 0.5 },
      { variant: 'b', n: 3, sum: 2, denominator: null, value: 2 / 3 },
    ]);
    // Revenue per visitor: control 10, 0, 0, 30 (v2's 15 came before exposure); b 25, 40, 0.
    expect(revenue).toMatchObject({ key: 'revenue', role: 'secondary', type: 'mean' });
    expect(revenue.variants).toEqual([
      { variant: 'control', n: 4, sum: 40, denominator: null, value: 10 },
      { variant: 'b', n: 3, sum: 65, denominator: null, value: 65 / 3 },
    ]);
    const engine = analyzeExperiment({
      engine: 'frequentist',
      difference: 'relative',
      alpha: 0.05,
      alternative: 'two-sided',
      variants: [
        { key: 'control', weight: 0.5, users: 4 },
        { key: 'b', weight: 0.5, users: 3 },
      ],
      metrics: [
        { key: 'purchase', inverse: false, stats: { control: { type: 'proportion', n: 4, sum: 2 }, b: { type: 'proportion', n: 3, sum: 2 } } },
        { key: 'revenue', inverse: false, stats: { control: { type: 'mean', n: 4, sum: 40, sumSquares: 1000 }, b: { type: 'mean', n: 3, sum: 65, sumSquares: 2225 } } },
      ],
    });
    expect(res.body.srm).toEqual(JSON.parse(JSON.stringify(engine.srm)));
    expect(conversion.results).toEqual(JSON.parse(JSON.stringify(engine.metrics[0]!.results)));
    expect(revenue.results).toEqual(JSON.parse(JSON.stringify(engine.metrics[1]!.results)));
    expect(conversion.results[0].expected).toBeCloseTo((2 / 3 - 0.5) / 0.5, 12);
    // Everyone was exposed today: one cumulative point with every visitor in it.
    expect(res.body.cumulative).toHaveLength(1);
    expect(res.body.cumulative[0].variants).toEqual([
      { variant: 'control', exposures: 4, value: 0.5 },
      { variant: 'b', exposures: 3, value: 2 / 3 },
    ]);
    expect(res.body.cumulative[0].results[0].expected).toBeCloseTo(conversion.results[0].expected, 12);
  });

  it('gives the same figures when every chunk is processed again', async () => {
    const before = (await results()).body.metrics;
    await api.platform.dataSource.query('UPDATE recording_chunk SET processed_at = NULL WHERE project_id = $1', [account.project.id]);
    await api.app.get(SweepJob).sweep(0);
    for (const id of Object.values(s)) await waitProcessed(api, account.project.id, cookie, id);
    const count = await api.platform.dataSource.query('SELECT count(*)::int AS n FROM experiment_exposure WHERE project_id = $1', [account.project.id]);
    expect(count).toEqual([{ n: 8 }]);
    expect((await results()).body.metrics).toEqual(before);
  });

  it('answers the Bayesian engine with chance to win, and refuses settings that do not go together', async () => {
    const bayes = await results('&engine=bayesian');
    expect(bayes.status).toBe(200);
    expect(bayes.body.metrics[0].results[0].chanceToWin).toBeGreaterThan(0.5);
    expect(bayes.body.metrics[0].results[0].pValue).toBeNull();
    const mixed = await results('&engine=bayesian&sequential=true');
    expect(mixed.status).toBe(400);
    expect(mixed.body.message).toMatch(/frequentist engine only/);
    expect((await results('&alpha=2')).status).toBe(400);
  });

  it("filters sessions by experiment and variant: a variant's visitors, from their exposure on", async () => {
    expect(await sessions(`experiment=${KEY}&variant=b`)).toEqual([s.v5, s.v6, s.v7].sort());
    // v2's visit before exposure is not one of the variant's replays; v4's later visit is.
    expect(await sessions(`experiment=${KEY}&variant=control`)).toEqual([s.v1, s.v2, s.v3, s.v4a, s.v4b].sort());
    expect(await sessions(`experiment=${KEY}`)).toHaveLength(9);
    const bad = await get(`/api/v1/sessions?project=${account.project.id}&variant=b`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/variant needs experiment/);
  });

  it('lists experiments with exposures, the split check and the primary verdict, and serves running ones to the SDK', async () => {
    const list = await get(`/api/v1/experiments?project=${account.project.id}`);
    expect(list.status).toBe(200);
    expect(list.body.experiments).toEqual([expect.objectContaining({ id: experimentId, key: KEY, status: 'running', exposures: 7, srmFlagged: false, primaryVerdict: 'inconclusive' })]);
    const config = await request(api.http).get(`/v1/config?key=${account.project.publicKey}`);
    expect(config.status).toBe(200);
    expect(config.body.experiments).toEqual({
      experiments: [
        {
          key: KEY,
          variants: [
            { key: 'control', weight: 0.5 },
            { key: 'b', weight: 0.5 },
          ],
        },
      ],
    });
  });

  it('computes page, per-event, frustration and feedback metrics from after exposure, and answers data without variance with a sentence', async () => {
    const put = await request(api.http)
      .put(`/api/v1/experiments/${experimentId}?project=${account.project.id}`)
      .set('cookie', cookie)
      .send(
        definition({
          secondaryMetrics: [
            { key: 'cart', kind: 'conversion', page: '/cart' },
            { key: 'order-value', kind: 'property', event: 'purchase', property: 'amount', aggregate: 'mean' },
            { key: 'frustrated', kind: 'frustration' },
            { key: 'nps', kind: 'feedback', score: 'nps' },
          ],
        }),
      );
    expect(put.status).toBe(200);
    const res = await results();
    expect(res.status).toBe(200);
    type Metric = { key: string; type: string; inverse: boolean; variants: unknown[]; results: Array<{ error: string | null }> };
    const byKey: Record<string, Metric> = Object.fromEntries((res.body.metrics as Metric[]).map((m) => [m.key, m]));
    // Every page view of /cart came before its visit's exposure, except v4's second visit (exposed to control earlier).
    expect(byKey['cart']!.variants).toEqual([
      { variant: 'control', n: 4, sum: 1, denominator: null, value: 0.25 },
      { variant: 'b', n: 3, sum: 0, denominator: null, value: 0 },
    ]);
    // Per purchase: control 10 and 30; b 20, 5 and 40.
    expect(byKey['order-value']).toMatchObject({ type: 'ratio' });
    expect(byKey['order-value']!.variants).toEqual([
      { variant: 'control', n: 4, sum: 40, denominator: 2, value: 20 },
      { variant: 'b', n: 3, sum: 65, denominator: 3, value: 65 / 3 },
    ]);
    // Sessions going on at or after exposure: v2's earlier visit is not one; nobody struggled.
    expect(byKey['frustrated']).toMatchObject({ type: 'ratio', inverse: true });
    expect(byKey['frustrated']!.variants).toEqual([
      { variant: 'control', n: 4, sum: 0, denominator: 5, value: 0 },
      { variant: 'b', n: 3, sum: 0, denominator: 3, value: 0 },
    ]);
    expect(byKey['frustrated']!.results[0]!.error).toEqual(expect.any(String));
    expect(byKey['nps']!.variants).toEqual([
      { variant: 'control', n: 0, sum: 0, denominator: null, value: null },
      { variant: 'b', n: 0, sum: 0, denominator: null, value: null },
    ]);
    expect(byKey['nps']!.results[0]!.error).toEqual(expect.any(String));
  });

  it("counts a funnel metric as the visitors whose visit completed the funnel after their exposure", async () => {
    const put = await request(api.http)
      .put(`/api/v1/experiments/${experimentId}?project=${account.project.id}`)
      .set('cookie', cookie)
      .send(definition({ secondaryMetrics: [{ key: 'checkout-funnel', kind: 'funnel', funnel: funnelId }] }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      const res = await results();
      expect(res.status).toBe(200);
      const funnel = res.body.metrics.find((m: { key: string }) => m.key === 'checkout-funnel');
      // The same visitors as the purchase conversion: v2's cart-and-purchase came before exposure.
      expect(funnel).toMatchObject({ type: 'proportion' });
      expect(funnel.variants).toEqual([
        { variant: 'control', n: 4, sum: 2, denominator: null, value: 0.5 },
        { variant: 'b', n: 3, sum: 2, denominator: null, value: 2 / 3 },
      ]);
    } finally {
      await request(api.http).put(`/api/v1/experiments/${experimentId}?project=${account.project.id}`).set('cookie', cookie).send(definition());
    }
  });

  describe('bad input: a 4xx with a message, and nothing stored changed', () => {
    const stored = async () => (await get(`/api/v1/experiments/${experimentId}?project=${account.project.id}`)).body.experiment;
    const put = (body: unknown, c = cookie) => request(api.http).put(`/api/v1/experiments/${experimentId}?project=${account.project.id}`).set('cookie', c).send(body as object);

    it.each([
      ['weights that do not add up to 1', { variants: [{ key: 'control', weight: 0.5 }, { key: 'b', weight: 0.6 }] }, /weights must add up to 1/],
      ['one variant', { variants: [{ key: 'control', weight: 1 }] }, /needs a control and at least one other variant/],
      ['a repeated metric key', { secondaryMetrics: [{ key: 'purchase', kind: 'conversion', page: '/thanks' }] }, /repeats "purchase"/],
      ['a conversion with neither event nor page', { primaryMetric: { key: 'p', kind: 'conversion' } }, /needs either an event or a page/],
      ['a funnel that is not there', { primaryMetric: { key: 'f', kind: 'funnel', funnel: 'checkout' } }, /there is no funnel "checkout" in this project/],
      ['a cap of 1.5', { secondaryMetrics: [{ key: 'r', kind: 'property', event: 'purchase', property: 'amount', cap: { percentile: 1.5 } }] }, /must be below 1/],
      ['an unknown status', { status: 'paused' }, /"draft", "running" or "stopped"/],
      ['a new key', { key: 'other' }, /key cannot change/],
    ])('refuses %s', async (_, over, message) => {
      const before = await stored();
      const res = await put(definition(over));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
      expect(await stored()).toEqual(before);
    });

    it('refuses a taken key with 409, a viewer with 403, and hides the experiment from another project', async () => {
      const taken = await request(api.http).post(`/api/v1/experiments?project=${account.project.id}`).set('cookie', cookie).send(definition());
      expect(taken.status).toBe(409);
      expect(taken.body.message).toMatch(/already has an experiment with the key "checkout-v2"/);
      const other = await seedAccount(api);
      const otherCookie = await loginCookie(api, other);
      expect((await get(`/api/v1/experiments/${experimentId}?project=${other.project.id}`, otherCookie)).status).toBe(404);
      expect((await get(`/api/v1/experiments/${experimentId}/results?project=${other.project.id}`, otherCookie)).status).toBe(404);
      expect((await get(`/api/v1/experiments/${experimentId}/results?project=${account.project.id}`, otherCookie)).status).toBe(404);
      expect((await get(`/api/v1/experiments/not-an-id?project=${account.project.id}`)).status).toBe(404);
      await api.platform.dataSource.query(`INSERT INTO membership (organization_id, user_id, role) VALUES ($1, $2, 'viewer')`, [account.organizationId, other.userId]);
      const viewer = await put(definition({ name: 'Renamed' }), otherCookie);
      expect(viewer.status).toBe(403);
      expect((await stored()).name).toBe('One-page checkout');
    });

    it('replaces the definition with PUT', async () => {
      const res = await put(definition({ name: 'One-page checkout, second run', status: 'stopped' }));
      expect(res.status).toBe(200);
      expect(res.body.experiment).toMatchObject({ key: KEY, name: 'One-page checkout, second run', status: 'stopped' });
      expect((await put(definition())).status).toBe(200);
    });
  });
});
