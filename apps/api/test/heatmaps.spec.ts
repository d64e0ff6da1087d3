import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOUPE_TAGS, type RecordedEvent } from '@loupe/contracts/recording';
import { loupe, loupeClick, mutation, pageview, pointerPath } from '@loupe/replay/testing';
import { SweepJob } from '@loupe/server';
import { loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const PRODUCT = 'https://shop.example.com/product/12';

const desktop = { width: 1280, height: 720 };
const phone = { width: 390, height: 800 };
/** The Buy button: at the middle of the page on a desktop, across the whole width lower down on a phone. */
const BUY = { desktop: { x: 600, y: 1200, width: 80, height: 20 }, phone: { x: 20, y: 2000, width: 350, height: 20 } };

const click = (ts: number, x: number, y: number, box: typeof BUY.desktop, viewport: typeof desktop, selector = '#buy') =>
  loupeClick(ts, x, y, { url: PRODUCT, selector, box, viewport, document: { width: viewport.width, height: 4000 } });
const scrolled = (ts: number, maxDepth: number, viewport: typeof desktop) =>
  loupe(ts, LOUPE_TAGS.scroll, { url: PRODUCT, maxDepth, maxY: maxDepth * 4000, document: { width: viewport.width, height: 4000 }, viewport });

describe.each(databaseShapes())('heatmaps on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;
  const visits = { buyer: newId(), phone: newId(), reader: newId() };
  const today = new Date(now).toISOString().slice(0, 10);

  const get = (query: string) => request(api.http).get(`/api/v1/heatmaps?project=${account.project.id}&page=${encodeURIComponent('/product/:id')}&${query}`).set('cookie', cookie);

  async function record(sessionId: string, events: RecordedEvent[], sentAt: number) {
    const res = await postBatch(api, account.project.publicKey, batch(events, { sessionId, visitorId: newId(), seq: 0, sentAt }));
    expect(res.status).toBe(202);
    return waitProcessed(api, account.project.id, cookie, sessionId);
  }

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    // A desktop visitor hovers the Buy button, clicks it four times in a burst (a rage click), clicks
    // a label that does nothing (a dead click), reads half the page and buys.
    await record(
      visits.buyer,
      [
        { type: 4, timestamp: at(60), data: { href: PRODUCT, width: 1280, height: 720 } },
        pageview(at(60), PRODUCT, 'load', desktop),
        { type: 3, timestamp: at(59), data: { source: 3, id: 1, x: 0, y: 900 } },
        pointerPath(at(58), [[0, 640, 310], [400, 650, 312], [800, 660, 314]]),
        click(at(50), 640, 1210, BUY.desktop, desktop),
        click(at(49.7), 642, 1211, BUY.desktop, desktop),
        click(at(49.4), 641, 1212, BUY.desktop, desktop),
        click(at(49.1), 640, 1210, BUY.desktop, desktop),
        mutation(at(48)),
        click(at(40), 100, 1500, { x: 80, y: 1490, width: 100, height: 20 }, desktop, '.price-label'),
        scrolled(at(35), 0.5, desktop),
        loupe(at(30), LOUPE_TAGS.track, { name: 'purchase', props: {} }),
      ],
      at(5),
    );
    // A phone visitor clicks the same button, laid out elsewhere, and reads to the end.
    await record(visits.phone, [pageview(at(60), PRODUCT, 'load', phone), click(at(50), 195, 2010, BUY.phone, phone), mutation(at(49)), scrolled(at(45), 1, phone)], at(5));
    // A desktop visitor reads a quarter and leaves without clicking.
    await record(visits.reader, [pageview(at(60), PRODUCT, 'load', desktop), scrolled(at(50), 0.25, desktop), mutation(at(40))], at(5));
  });
  afterAll(() => api?.close());

  it('puts the click hotspot on the clicked element, per device, relative to the document and to the element', async () => {
    const res = await get('kind=click&device=desktop');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'click', device: 'desktop', from: expect.any(String), to: today, total: 5, columns: 100, rowPx: 10, grid: 10 });
    const hottest = [...res.body.cells].sort((a, b) => b.count - a.count)[0];
    // 640 of 1280 px is the middle column; 1210 px down is row 121.
    expect(hottest).toEqual({ gx: 50, gy: 121, count: 4 });
    expect(res.body.elements[0]).toMatchObject({ selector: '#buy', clicks: 4 });
    // 40 of the button's 80 px, 10 of its 20 px: the centre of the element's grid.
    expect(res.body.elements[0].cells).toContainEqual({ gx: 5, gy: 5, count: 3 });

    const onPhone = await get('kind=click&device=mobile');
    expect(onPhone.body.total).toBe(1);
    expect(onPhone.body.cells).toEqual([{ gx: 50, gy: 201, count: 1 }]);
    expect(onPhone.body.elements).toEqual([{ selector: '#buy', clicks: 1, cells: [{ gx: 5, gy: 5, count: 1 }] }]);
    expect((await get('kind=click&device=tablet')).body).toMatchObject({ total: 0, cells: [] });
  });

  it('draws moves from the pointer in page coordinates, and rage and dead clicks as their own layers', async () => {
    const moves = (await get('kind=move&device=desktop')).body;
    // Scrolled 900 px down, the pointer at 310 px in the window is 1210 px down the page.
    expect(moves.cells).toEqual([{ gx: 50, gy: 121, count: 2 }, { gx: 51, gy: 121, count: 1 }]);
    expect(moves.total).toBe(3);
    expect((await get('kind=rage&device=desktop')).body.cells).toEqual([{ gx: 50, gy: 121, count: 1 }]);
    expect((await get('kind=dead&device=desktop')).body.cells).toEqual([{ gx: 7, gy: 150, count: 1 }]);
  });

  it('gives the share of page views that reached each depth, and keeps each view\'s deepest scroll', async () => {
    const res = await get('kind=scroll&device=desktop');
    expect(res.body.total).toBe(2);
    expect(res.body.reach[0]).toBe(1);
    expect(res.body.reach[25]).toBe(1);
    expect(res.body.reach[26]).toBe(0.5);
    expect(res.body.reach[50]).toBe(0.5);
    expect(res.body.reach[51]).toBe(0);
    expect((await get('kind=scroll&device=mobile')).body.reach[100]).toBe(1);
    const rows = await api.platform.dataSource.query('SELECT max_scroll_depth, document_height FROM page_view WHERE session_id = $1', [visits.buyer]);
    expect(rows).toEqual([{ max_scroll_depth: 0.5, document_height: 4000 }]);
  });

  it("gives the engagement metrics each page's median scroll depth, from every device's views", async () => {
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await request(api.http).get(`/api/v1/metrics?project=${account.project.id}&from=${from}&to=${to}&interval=day`).set('cookie', cookie);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Views reached 0.5, 1 and 0.25 of the page.
    expect(res.body.timeOnPage.find((p: { pageKey: string }) => p.pageKey === '/product/:id')).toMatchObject({ views: 3, medianScrollDepth: 0.5 });
  });

  it('lists zones with clicks, visitors, frustration, hover time and the conversion of those who clicked', async () => {
    const res = await get('kind=zones&device=desktop&goalEvent=purchase');
    expect(res.status).toBe(200);
    const buy = res.body.zones.find((z: { selector: string }) => z.selector === '#buy');
    expect(buy).toMatchObject({ clicks: 4, visitors: 1, visitorShare: 0.5, rage: 1, dead: 0 });
    // The pointer rested 400 + 400 ms inside the button's box, and its last sample counts 200 ms.
    expect(buy.hoverMs).toBe(1000);
    expect(buy.conversion).toEqual({ clicked: { visits: 1, converted: 1, rate: 1 }, notClicked: { visits: 1, converted: 0, rate: 0 } });
    expect(res.body.zones.find((z: { selector: string }) => z.selector === '.price-label')).toMatchObject({ clicks: 1, dead: 1 });
    const byPage = await get('kind=zones&device=desktop&goalPage=/checkout');
    expect(byPage.body.zones[0].conversion.clicked).toEqual({ visits: 1, converted: 0, rate: 0 });
  });

  it('replaces a session\'s contribution when it is analysed again', async () => {
    const before = (await get('kind=click&device=desktop')).body;
    await api.platform.dataSource.query('UPDATE recording_chunk SET processed_at = NULL WHERE session_id = $1', [visits.buyer]);
    await api.platform.dataSource.query('UPDATE session SET analysed_at = NULL WHERE id = $1', [visits.buyer]);
    await api.app.get(SweepJob).sweep(0, 0);
    await waitProcessed(api, account.project.id, cookie, visits.buyer);
    const after = (await get('kind=click&device=desktop')).body;
    expect(after.total).toBe(5);
    expect(after.cells).toEqual(before.cells);
    expect(after.elements).toEqual(before.elements);
    expect((await get('kind=zones&device=desktop')).body.zones.find((z: { selector: string }) => z.selector === '#buy').clicks).toBe(4);
  });

  it('reads nothing outside the range, and lists recorded snapshots of the page', async () => {
    expect((await get('kind=click&device=desktop&from=2020-01-01&to=2020-01-31')).body.total).toBe(0);
    const snaps = await request(api.http).get(`/api/v1/heatmaps/snapshots?project=${account.project.id}&page=${encodeURIComponent('/product/:id')}`).set('cookie', cookie);
    expect(snaps.status).toBe(200);
    expect(Array.isArray(snaps.body.snapshots)).toBe(true);
  });

  it('refuses bad input with a message and keeps other projects\' heatmaps out of reach', async () => {
    const bad = await get('kind=heat&device=watch&from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['device', 'from', 'kind']);
    expect(bad.body.issues.find((i: { path: string }) => i.path === 'kind').message).toContain('click, move, scroll');
    const half = await get('kind=click&experiment=checkout');
    expect(half.status).toBe(400);
    expect(half.body.issues[0].message).toContain('experiment and variant go together');
    const reversed = await get('kind=click&from=2026-12-02&to=2026-11-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain('from must be on or before to');
    const other = await seedAccount(api);
    const otherCookie = await loginCookie(api, other);
    const res = await request(api.http).get(`/api/v1/heatmaps?project=${account.project.id}&page=/product/:id`).set('cookie', otherCookie);
    expect(res.status).toBe(404);
    const snaps = await request(api.http).get(`/api/v1/heatmaps/snapshots?project=${account.project.id}&page=/product/:id`).set('cookie', otherCookie);
    expect(snaps.status).toBe(404);
  });

  it("draws a variant's map from what its visitors did once exposed, beside the map of everyone", async () => {
    const CART = 'https://shop.example.com/cart';
    const cartClick = (ts: number, x: number) => loupeClick(ts, x, 500, { url: CART, selector: '#pay', box: { x: 0, y: 490, width: 1280, height: 20 }, viewport: desktop, document: { width: 1280, height: 2000 } });
    const exposed = (ts: number, variant: string) => loupe(ts, LOUPE_TAGS.exposure, { experiment: 'pay-button', variant });
    const visit = async (events: RecordedEvent[]) => {
      const sessionId = newId();
      expect((await postBatch(api, account.project.publicKey, batch(events, { sessionId, visitorId: newId(), seq: 0, sentAt: at(1) }))).status).toBe(202);
      await waitProcessed(api, account.project.id, cookie, sessionId);
    };
    // Exposed to b in the middle of the visit: the click before it is everyone's, not b's.
    await visit([pageview(at(40), CART, 'load', desktop), cartClick(at(30), 100), exposed(at(25), 'b'), cartClick(at(20), 640), cartClick(at(15), 650), mutation(at(14))]);
    // Exposed to a as the visit began.
    await visit([exposed(at(41), 'a'), pageview(at(40), CART, 'load', desktop), cartClick(at(30), 1200), mutation(at(29))]);

    const cart = (query: string) => request(api.http).get(`/api/v1/heatmaps?project=${account.project.id}&page=${encodeURIComponent('/cart')}&device=desktop&${query}`).set('cookie', cookie);
    expect((await cart('kind=click')).body).toMatchObject({ total: 4, variant: null });
    const b = (await cart('kind=click&experiment=pay-button&variant=b')).body;
    expect(b).toMatchObject({ total: 2, variant: 'pay-button=b' });
    // 640 and 650 px of 1280 fall in the same column: the click at 100 px, before the exposure, is not there.
    expect(b.cells).toEqual([{ gx: 50, gy: 50, count: 2 }]);
    expect((await cart('kind=click&experiment=pay-button&variant=a')).body.cells).toEqual([{ gx: 93, gy: 50, count: 1 }]);
    expect((await cart('kind=click&experiment=pay-button&variant=c')).body.total).toBe(0);
    expect((await cart('kind=zones&experiment=pay-button&variant=b')).body.zones.find((z: { selector: string }) => z.selector === '#pay')).toMatchObject({ clicks: 2, visitors: 1 });
  });
});
