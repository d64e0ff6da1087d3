import request from 'supertest';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@loupe/contracts/recording';
import { loupeClick, loupeError, mutation, pageview } from '@loupe/replay/testing';
import { EndSessionJob, SweepJob } from '@loupe/server';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const SHOP = 'https://shop.example.com';

describe.each(databaseShapes())('frustration signals and drop-off pages on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;
  const visits: Record<'struggling' | 'bounced' | 'checkout', string> = { struggling: newId(), bounced: newId(), checkout: newId() };

  const get = (path: string) => request(api.http).get(path).set('cookie', cookie);
  const sessions = async (query: string) =>
    (await get(`/api/v1/sessions?project=${account.project.id}&${query}`)).body.sessions.map((s: { id: string }) => s.id).sort() as string[];

  /** Sends the batches of one visit, in the order given, and waits for its analysis. */
  async function record(sessionId: string, parts: Array<{ events: RecordedEvent[]; sentAt: number }>, visitorId = newId()) {
    for (const [seq, part] of parts.entries()) {
      const res = await postBatch(api, account.project.publicKey, batch(part.events, { sessionId, visitorId, seq, sentAt: part.sentAt }));
      expect(res.status).toBe(202);
    }
    return waitProcessed(api, account.project.id, cookie, sessionId);
  }

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    // A visit that struggles: a burst of four clicks cut in two batches, a click that does nothing,
    // a click whose handler throws, and a product page left for the list after 3 s.
    await record(visits.struggling, [
      { events: [pageview(at(50), `${SHOP}/list`), loupeClick(at(40), 100, 200), loupeClick(at(39.7), 104, 200)], sentAt: at(39.6) },
      {
        events: [
          loupeClick(at(39.4), 101, 203),
          loupeClick(at(39.1), 99, 201),
          mutation(at(38)),
          loupeClick(at(30), 400, 500, { selector: '#noop', text: 'Nothing' }),
          mutation(at(25)),
          loupeClick(at(20), 600, 700, { selector: '#broken', text: 'Pay' }),
          loupeError(at(19.95), 'TypeError: total is undefined'),
          pageview(at(15), `${SHOP}/product/12`),
          pageview(at(12), `${SHOP}/list?ref=back`),
          mutation(at(5)),
        ],
        sentAt: at(5),
      },
    ]);
    await record(visits.bounced, [{ events: [pageview(at(40), `${SHOP}/product/7`), mutation(at(30))], sentAt: at(30) }]);
    await record(visits.checkout, [{ events: [pageview(at(40), `${SHOP}/list`), pageview(at(35), `${SHOP}/checkout`), mutation(at(20))], sentAt: at(20) }]);
  });
  afterAll(() => api?.close());

  it('lists the signals of a session with where they happened, across batches', async () => {
    const { body } = await get(`/api/v1/sessions/${visits.struggling}?project=${account.project.id}`);
    expect(body.signals.map((s: { kind: string; ts: string }) => [s.kind, Date.parse(s.ts)])).toEqual([
      ['rage_click', at(40)],
      ['dead_click', at(30)],
      ['error_click', at(20)],
      ['u_turn', at(15)],
    ]);
    expect(body.signals[0]).toMatchObject({ selector: '#buy', x: 100, y: 200, pageKey: '/', details: { clicks: 4, durationMs: 900 } });
    expect(body.signals[1]).toMatchObject({ selector: '#noop', text: 'Nothing', x: 400, y: 500 });
    expect(body.signals[2]).toMatchObject({ selector: '#broken', details: { delayMs: 50, message: 'TypeError: total is undefined' } });
    expect(body.signals[3]).toMatchObject({ url: `${SHOP}/product/12`, pageKey: '/product/:id', details: { dwellMs: 3000, fromUrl: `${SHOP}/list` } });
    expect(body.session).toMatchObject({
      signalCounts: { rage_click: 1, dead_click: 1, error_click: 1, u_turn: 1 },
      // 100 × (1 − e^−(3 + 2 + 3 + 1.5 + 0.5 for the error) / 6)
      frustrationScore: 81.1,
      entryPage: '/list',
      exitPage: '/list',
      bounced: false,
    });
  });

  it('filters sessions by signal, page, entry, exit and bounce', async () => {
    expect(await sessions('signal=rage_click')).toEqual([visits.struggling]);
    expect(await sessions('signal=any')).toEqual([visits.struggling]);
    expect(await sessions('signal=thrashed_cursor')).toEqual([]);
    expect(await sessions('exitPage=/product/:id')).toEqual([visits.bounced]);
    expect(await sessions('bounced=true')).toEqual([visits.bounced]);
    expect(await sessions('page=/checkout')).toEqual([visits.checkout]);
    expect(await sessions(`page=${encodeURIComponent('/product/:id')}&entryPage=/list`)).toEqual([visits.struggling]);
    expect(await sessions(`signalPage=${encodeURIComponent('/product/:id')}`)).toEqual([visits.struggling]);
    expect(await sessions('signalPage=/list&signal=u_turn')).toEqual([]);
    expect(await sessions('minFrustration=80')).toEqual([visits.struggling]);
    const bad = await get(`/api/v1/sessions?project=${account.project.id}&signal=angry_click`);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ path: 'signal', message: expect.stringContaining('rage_click') });
  });

  it('gives the drop-off table per page key, sortable', async () => {
    const res = await get(`/api/v1/pages?project=${account.project.id}&sort=views`);
    expect(res.status).toBe(200);
    const byKey = Object.fromEntries(res.body.pages.map((p: { pageKey: string }) => [p.pageKey, p]));
    expect(Object.keys(byKey).sort()).toEqual(['/checkout', '/list', '/product/:id']);
    expect(byKey['/list']).toMatchObject({ views: 3, visitors: 2, exits: 1, entries: 2, exitRate: 1 / 3, bounceRate: 0, signals: 3, errorsPerView: 1 / 3 });
    expect(byKey['/list'].signalCounts).toEqual({ rage_click: 1, dead_click: 1, error_click: 1 });
    expect(byKey['/product/:id']).toMatchObject({ views: 2, visitors: 2, exits: 1, entries: 1, bounceRate: 1, signals: 1, signalCounts: { u_turn: 1 } });
    expect(byKey['/checkout']).toMatchObject({ views: 1, exits: 1, entries: 0, bounceRate: null, medianTimeOnPageMs: 15_000 });
    // The product page was seen for 3 s (then left) and 10 s (until the visit's last event).
    expect(byKey['/product/:id'].medianTimeOnPageMs).toBe(6500);
    expect(res.body.pages.map((p: { pageKey: string }) => p.pageKey)[0]).toBe('/list');
    const byExitRate = await get(`/api/v1/pages?project=${account.project.id}&sort=exitRate&order=desc`);
    expect(byExitRate.body.pages[0].pageKey).toBe('/checkout');
    const invalid = await get(`/api/v1/pages?project=${account.project.id}&sort=nonsense&from=yesterday`);
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['from', 'sort']);
    const other = await seedAccount(api);
    expect((await request(api.http).get(`/api/v1/pages?project=${account.project.id}`).set('cookie', await loginCookie(api, other))).status).toBe(404);
  });

  it('finds the same signals when chunks are processed again, and follows the project settings', async () => {
    const before = (await get(`/api/v1/sessions/${visits.struggling}?project=${account.project.id}`)).body.signals;
    await api.platform.dataSource.query('UPDATE recording_chunk SET processed_at = NULL WHERE session_id = $1', [visits.struggling]);
    await api.app.get(SweepJob).sweep(0);
    const again = await waitProcessed(api, account.project.id, cookie, visits.struggling);
    expect(again.signals).toEqual(before);
    expect(Number((await api.platform.dataSource.query('SELECT count(*) AS n FROM page_view WHERE session_id = $1', [visits.struggling]))[0].n)).toBe(3);

    const path = `/api/v1/projects/${account.project.id}/settings`;
    const patch = await request(api.http).patch(path).set('cookie', cookie).send({ signals: { rageClick: { minClicks: 5 } } });
    expect(patch.status).toBe(200);
    expect(patch.body.settings.signals.rageClick).toEqual({ minClicks: 5, maxIntervalMs: 1000, radiusPx: 30 });
    await api.platform.dataSource.query('UPDATE session SET analysed_at = NULL WHERE id = $1', [visits.struggling]);
    await api.app.get(SweepJob).sweep(0, 0);
    const stricter = await waitProcessed(api, account.project.id, cookie, visits.struggling);
    expect(stricter.signals.map((s: { kind: string }) => s.kind)).toEqual(['dead_click', 'error_click', 'u_turn']);
    const invalid = await request(api.http).patch(path).set('cookie', cookie).send({ signals: { rageClick: { minClicks: 1 } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues[0].path).toBe('signals.rageClick.minClicks');
  });

  it('decides a last click when the visit ends, and closes the visit', async () => {
    const sessionId = newId();
    // The batch was cut right after the click: whether it did anything is not known yet.
    await record(sessionId, [{ events: [pageview(at(30), `${SHOP}/help`), loupeClick(at(20), 10, 10, { selector: '#faq' })], sentAt: at(20) }]);
    expect((await get(`/api/v1/sessions/${sessionId}?project=${account.project.id}`)).body.signals).toEqual([]);
    await api.platform.dataSource.query("UPDATE session SET last_received_at = now() - interval '31 minutes' WHERE id = $1", [sessionId]);
    expect(await api.app.get(EndSessionJob).handle({ projectId: account.project.id, sessionId }, {} as Job)).toMatchObject({ ended: true });
    const { body } = await get(`/api/v1/sessions/${sessionId}?project=${account.project.id}`);
    expect(body.signals).toEqual([expect.objectContaining({ kind: 'dead_click', selector: '#faq' })]);
    expect(body.session.ended).toBe(true);
  });
});
