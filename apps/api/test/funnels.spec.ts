import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOUPE_TAGS, type RecordedEvent } from '@loupe/contracts/recording';
import { loupe, loupeClick, mutation, pageview } from '@loupe/replay/testing';
import { SweepJob } from '@loupe/server';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const SHOP = 'https://shop.example.com';
const home = (ts: number) => pageview(ts, `${SHOP}/`);
const product = (ts: number, id: number) => pageview(ts, `${SHOP}/product/${id}`);
const add = (ts: number) => loupeClick(ts, 300, 400, { selector: '#add', text: 'Add to cart' });
const purchase = (ts: number, currency: string) => loupe(ts, LOUPE_TAGS.track, { name: 'purchase', props: { currency, value: 20 } });
/** Four clicks in 0.9 s at one place: a rage click. */
const rage = (ts: number) => [loupeClick(ts, 100, 200), loupeClick(ts + 300, 104, 200), loupeClick(ts + 600, 101, 203), loupeClick(ts + 900, 99, 201)];

const CHECKOUT = {
  name: 'Checkout',
  steps: [
    { type: 'page', pageKey: '/' },
    { type: 'page', pageKey: '/product/:id', label: 'Product' },
    { type: 'click', selector: '#add' },
    { type: 'event', name: 'purchase', props: { currency: 'EUR' } },
  ],
};

interface StepRow {
  entered: number;
  converted: number;
  dropped: number;
  medianMsToConvert: number | null;
  p90MsToConvert: number | null;
}

describe.each(databaseShapes())('funnels on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;
  const sharedVisitor = newId();
  const visits = { A: newId(), B: newId(), C: newId(), D: newId(), E: newId(), F1: newId(), F2: newId(), G: newId() };
  const started: Record<string, number> = {};

  const api_ = (method: 'get' | 'post' | 'put' | 'delete', path: string, as = cookie) => request(api.http)[method](path).set('cookie', as);
  const q = () => `project=${account.project.id}`;

  async function record(sessionId: string, events: RecordedEvent[], visitorId = newId()) {
    started[sessionId] = events[0]!.timestamp;
    const res = await postBatch(api, account.project.publicKey, batch([...events, mutation(events[events.length - 1]!.timestamp + 500)], { sessionId, visitorId, sentAt: now }));
    expect(res.status).toBe(202);
    return waitProcessed(api, account.project.id, cookie, sessionId);
  }

  async function readyFunnel(id: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await api_('get', `/api/v1/funnels/${id}?${q()}`);
      if (res.body.funnel?.ready) return res.body.funnel;
      if (Date.now() > deadline) throw new Error(`the funnel never became ready: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const entered = (steps: StepRow[]) => steps.map((s) => s.entered);

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    // Known truth (per session): seven did the home page, five a product page after it, three
    // added to the cart, one paid in euros. Times between steps are in the comments.
    await record(visits.A, [home(at(600)), product(at(590), 1), add(at(580)), purchase(at(570), 'EUR')]); // 10, 10, 10 s
    await record(visits.B, [home(at(500)), product(at(496), 2), add(at(490)), ...rage(at(489)), pageview(at(480), `${SHOP}/help`)]); // 4, 6 s
    await record(visits.C, [home(at(400)), product(at(392), 3)]); // 8 s, then the visit ends
    await record(visits.D, [home(at(300)), pageview(at(290), `${SHOP}/about`)]);
    await record(visits.E, [product(at(250), 4), home(at(245))]); // the steps in the wrong order
    await record(visits.F1, [home(at(200)), product(at(198), 5)], sharedVisitor); // 2 s; the visitor comes back…
    await record(visits.F2, [add(at(100)), purchase(at(90), 'EUR')], sharedVisitor); // …and buys in another session
    await record(visits.G, [home(at(80)), product(at(74), 6), add(at(72)), purchase(at(70), 'USD')]); // 6, 2 s; paid in dollars
  });
  afterAll(() => api?.close());

  it('matches stored sessions when a funnel is created, and counts each step with its times', async () => {
    const created = await api_('post', `/api/v1/funnels?${q()}`).send(CHECKOUT);
    expect(created.status).toBe(201);
    expect(created.body.funnel).toMatchObject({ name: 'Checkout', windowMs: 3600_000, order: 'strict', countBy: 'session' });
    const funnel = await readyFunnel(created.body.funnel.id);
    const res = await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(7);
    expect(res.body.steps.map((s: { label: string }) => s.label)).toEqual(['/', 'Product', 'click #add', 'purchase (currency=EUR)']);
    expect(res.body.steps).toMatchObject([
      { entered: 7, converted: 5, dropped: 2, conversionFromPrevious: null, conversionFromStart: 1, medianMsToConvert: null },
      // Step times 2, 4, 6, 8, 10 s: median 6 s, 90th percentile 10 s (nearest rank).
      { entered: 5, converted: 3, dropped: 2, conversionFromPrevious: 5 / 7, conversionFromStart: 5 / 7, medianMsToConvert: 6000, p90MsToConvert: 10_000 },
      { entered: 3, converted: 1, dropped: 2, conversionFromPrevious: 3 / 5, medianMsToConvert: 6000, p90MsToConvert: 10_000 },
      { entered: 1, converted: 1, dropped: 0, conversionFromPrevious: 1 / 3, conversionFromStart: 1 / 7, medianMsToConvert: 10_000 },
    ]);
  });

  it('says where those who dropped went, what they hit, and where to watch them', async () => {
    const [funnel] = (await api_('get', `/api/v1/funnels?${q()}`)).body.funnels;
    const { body } = await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}`);
    const [afterHome, afterProduct, afterCart] = body.dropOffs;
    expect(afterHome.nextPages).toEqual(expect.arrayContaining([{ pageKey: '/about', sessions: 1 }, { pageKey: '(exit)', sessions: 1 }]));
    expect(afterHome.sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([visits.D, visits.E].sort());
    expect(afterProduct.nextPages).toEqual([{ pageKey: '(exit)', sessions: 2 }]);
    expect(afterCart.nextPages).toEqual(expect.arrayContaining([{ pageKey: '/help', sessions: 1 }, { pageKey: '(exit)', sessions: 1 }]));
    // B's click on "Add to cart" did nothing (a dead click), then B clicked four times in a row.
    expect(afterCart.signals).toEqual([
      { kind: 'dead_click', count: 1, sessions: 1 },
      { kind: 'rage_click', count: 1, sessions: 1 },
    ]);
    const b = afterCart.sessions.find((s: { sessionId: string }) => s.sessionId === visits.B);
    // B added to the cart 10 s into the visit: the replay opens there.
    expect(b).toMatchObject({ offsetMs: 10_000, stepAt: new Date(at(490)).toISOString() });
  });

  it('counts a visitor across sessions, and follows edits in any order', async () => {
    const created = await api_('post', `/api/v1/funnels?${q()}`).send({ ...CHECKOUT, name: 'Checkout by visitor', countBy: 'visitor' });
    const byVisitor = await readyFunnel(created.body.funnel.id);
    const res = await api_('get', `/api/v1/funnels/${byVisitor.id}/results?${q()}`);
    // The visitor of F1 and F2 went all the way, over two sessions.
    expect(entered(res.body.steps)).toEqual([7, 5, 4, 2]);
    expect(res.body.dropOffs[2].sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([visits.B, visits.G].sort());

    const edited = await api_('put', `/api/v1/funnels/${byVisitor.id}?${q()}`).send({ ...CHECKOUT, name: 'Any order', order: 'loose' });
    expect(edited.status).toBe(200);
    await readyFunnel(byVisitor.id);
    const loose = await api_('get', `/api/v1/funnels/${byVisitor.id}/results?${q()}`);
    // E saw a product before the home page: in any order, that is two steps.
    expect(entered(loose.body.steps)).toEqual([7, 6, 3, 1]);

    const short = await api_('put', `/api/v1/funnels/${byVisitor.id}?${q()}`).send({ ...CHECKOUT, name: 'Quick', windowMs: 5000 });
    expect(short.status).toBe(200);
    await readyFunnel(byVisitor.id);
    const quick = await api_('get', `/api/v1/funnels/${byVisitor.id}/results?${q()}`);
    // Within 5 s of the home page, only B (4 s) and F1 (2 s) saw a product; nobody added to the cart in time.
    expect(entered(quick.body.steps)).toEqual([7, 2, 0, 0]);
  });

  it('breaks results down by session attributes', async () => {
    const [funnel] = (await api_('get', `/api/v1/funnels?${q()}`)).body.funnels;
    const res = await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}&breakdown=entryPage`);
    expect(res.status).toBe(200);
    const byEntry = Object.fromEntries(res.body.breakdown.map((b: { value: string; steps: Array<{ entered: number }> }) => [b.value, b.steps.map((s) => s.entered)]));
    expect(byEntry).toEqual({ '/': [6, 5, 3, 1], '/product/:id': [1, 0, 0, 0] });
    const variant = await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}&breakdown=variant`);
    expect(variant.status).toBe(400);
    expect(variant.body.message).toContain('experiment=');
  });

  it('matches a new session as soon as it is analysed', async () => {
    const [funnel] = (await api_('get', `/api/v1/funnels?${q()}`)).body.funnels;
    await record(newId(), [home(at(60)), product(at(58), 8), add(at(50)), purchase(at(40), 'EUR')]);
    const deadline = Date.now() + 10_000;
    let steps: StepRow[] = [];
    while (Date.now() < deadline) {
      steps = (await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}`)).body.steps;
      if (steps[3]?.entered === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(entered(steps)).toEqual([8, 6, 4, 2]);
  });

  it('suggests pages, events and elements for the step editor', async () => {
    const pages = await api_('get', `/api/v1/funnels/suggestions?${q()}&type=page&q=prod`);
    expect(pages.body.suggestions[0]).toMatchObject({ value: '/product/:id' });
    const events = await api_('get', `/api/v1/funnels/suggestions?${q()}&type=event`);
    expect(events.body.suggestions).toEqual([{ value: 'purchase', count: 4 }]);
    const clicks = await api_('get', `/api/v1/funnels/suggestions?${q()}&type=click&q=cart`);
    expect(clicks.body.suggestions).toEqual([expect.objectContaining({ value: '#add', text: 'Add to cart' })]);
    expect((await api_('get', `/api/v1/funnels/suggestions?${q()}&type=scroll`)).status).toBe(400);
  });

  it('gives the journeys from and to a page for a Sankey chart', async () => {
    const res = await api_('get', `/api/v1/paths?${q()}&start=/&depth=2`);
    expect(res.status).toBe(200);
    const node = (id: string) => res.body.nodes.find((n: { id: string }) => n.id === id);
    // Eight sessions saw the home page; E saw it last and left, D went on to /about.
    expect(node('0:/')).toMatchObject({ sessions: 8, exits: 1 });
    expect(node('1:/product/:id')).toMatchObject({ sessions: 6, exits: 5 });
    expect(node('1:/about')).toMatchObject({ sessions: 1, exits: 1 });
    expect(node('2:/help')).toMatchObject({ sessions: 1 });
    expect(res.body.links).toContainEqual({ source: '1:/product/:id', target: '2:/help', sessions: 1 });
    const back = await api_('get', `/api/v1/paths?${q()}&end=/help&depth=3`);
    expect(back.body.direction).toBe('previous');
    expect(back.body.nodes.map((n: { id: string; exits: number }) => [n.id, n.exits])).toEqual([['0:/help', 0], ['1:/product/:id', 0], ['2:/', 1]]);
    const neither = await api_('get', `/api/v1/paths?${q()}`);
    expect(neither.status).toBe(400);
    expect(JSON.stringify(neither.body)).toContain('exactly one of start or end');
  });

  it('gives engagement metrics with a series per interval', async () => {
    const from = new Date(now - 2 * 3600_000).toISOString();
    const to = new Date(now + 3600_000).toISOString();
    const res = await api_('get', `/api/v1/metrics?${q()}&from=${from}&to=${to}&interval=hour&goal=purchase&cartStep=/product/:id&checkoutStep=purchase&clickSelector=%23add`);
    expect(res.status).toBe(200);
    const b = res.body;
    // Nine sessions of eight visitors (F1 and F2 are one), 17 page views, F2 without any.
    expect(b.totals).toMatchObject({ sessions: 9, uniqueVisitors: 8, newVisitors: 8, returningVisitors: 0, pageViews: 17, bounceRate: 0, logins: 0 });
    expect(b.totals.pagesPerSession).toBeCloseTo(17 / 9);
    expect(b.series.length).toBeGreaterThanOrEqual(3);
    expect(b.series.reduce((n: number, p: { sessions: number }) => n + p.sessions, 0)).toBe(9);
    expect(b.featureUsage).toEqual([{ name: 'purchase', count: 4, sessions: 4 }]);
    expect(b.conversion).toEqual({ goal: 'purchase', sessions: 9, converted: 4, rate: 4 / 9 });
    // Seven saw a product; A, G and H bought after it.
    expect(b.cartAbandonment).toEqual({ cartStep: '/product/:id', checkoutStep: 'purchase', carts: 7, checkouts: 3, rate: 4 / 7 });
    // #add was clicked on the home page: eight sessions saw it, four of them clicked (F2 never saw a page).
    expect(b.clickThrough).toEqual({ selector: '#add', sessions: 8, clicked: 4, rate: 0.5 });
    expect(b.exitPages[0]).toMatchObject({ pageKey: '/product/:id', exits: 5 });
    expect(b.timeOnPage.find((p: { pageKey: string }) => p.pageKey === '/help')).toMatchObject({ views: 1, medianMs: 500 });
    expect(b).not.toHaveProperty('scrollDepth');
    const bad = await api_('get', `/api/v1/metrics?${q()}&interval=fortnight&cartStep=/cart`);
    expect(bad.status).toBe(400);
    const half = await api_('get', `/api/v1/metrics?${q()}&cartStep=/cart`);
    expect(half.status).toBe(400);
    expect(half.body.message).toContain('checkoutStep');
  });

  it('matches a funnel again on the next sweep when its matching was lost', async () => {
    const [funnel] = (await api_('get', `/api/v1/funnels?${q()}`)).body.funnels;
    await api.platform.dataSource.query("UPDATE funnel SET ready_version = 0, updated_at = now() - interval '11 minutes' WHERE id = $1", [funnel.id]);
    expect((await api_('get', `/api/v1/funnels/${funnel.id}?${q()}`)).body.funnel.ready).toBe(false);
    await api.app.get(SweepJob).sweep(60_000);
    expect((await readyFunnel(funnel.id)).ready).toBe(true);
    expect(entered((await api_('get', `/api/v1/funnels/${funnel.id}/results?${q()}`)).body.steps)).toEqual([8, 6, 4, 2]);
  });

  it('describes the new routes in the OpenAPI document', async () => {
    const { body } = await request(api.http).get('/api/docs/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/funnels', '/api/v1/funnels/{id}', '/api/v1/funnels/{id}/results', '/api/v1/funnels/suggestions', '/api/v1/paths', '/api/v1/metrics']),
    );
    expect(body.paths['/api/v1/funnels/{id}/results'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['project', 'from', 'to', 'breakdown']));
  });

  it('refuses bad funnels with a reason and keeps other projects out', async () => {
    const before = (await api_('get', `/api/v1/funnels?${q()}`)).body.funnels;
    const one = await api_('post', `/api/v1/funnels?${q()}`).send({ name: 'One', steps: [{ type: 'page', pageKey: '/' }] });
    expect(one.status).toBe(400);
    expect(JSON.stringify(one.body)).toContain('at least two steps');
    const vague = await api_('post', `/api/v1/funnels?${q()}`).send({ name: 'Vague', steps: [{ type: 'page', pageKey: '/' }, { type: 'click' }] });
    expect(vague.status).toBe(400);
    expect(JSON.stringify(vague.body)).toContain('a click step needs a selector, a text, or both');
    const badEdit = await api_('put', `/api/v1/funnels/${before[0].id}?${q()}`).send({ ...CHECKOUT, windowMs: 10 });
    expect(badEdit.status).toBe(400);
    expect((await api_('get', `/api/v1/funnels?${q()}`)).body.funnels).toEqual(before);

    const other = await seedAccount(api);
    const otherCookie = await loginCookie(api, other);
    expect((await api_('get', `/api/v1/funnels/${before[0].id}?${q()}`, otherCookie)).status).toBe(404);
    expect((await api_('get', `/api/v1/funnels/${before[0].id}/results?${q()}`, otherCookie)).status).toBe(404);
    expect((await api_('get', `/api/v1/paths?${q()}&start=/`, otherCookie)).status).toBe(404);
    expect((await api_('get', `/api/v1/metrics?${q()}`, otherCookie)).status).toBe(404);
    expect((await api_('delete', `/api/v1/funnels/${before[0].id}?${q()}`, otherCookie)).status).toBe(404);
    // Their own project cannot reach this funnel either.
    expect((await api_('get', `/api/v1/funnels/${before[0].id}/results?project=${other.project.id}`, otherCookie)).status).toBe(404);
    expect((await api_('delete', `/api/v1/funnels/${before[0].id}?project=${other.project.id}`, otherCookie)).status).toBe(404);

    const removed = await api_('delete', `/api/v1/funnels/${before[1].id}?${q()}`);
    expect(removed.status).toBe(204);
    expect((await api_('get', `/api/v1/funnels/${before[1].id}?${q()}`)).status).toBe(404);
  });
});
