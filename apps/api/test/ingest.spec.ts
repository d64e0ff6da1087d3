import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { EndSessionJob, SweepJob } from '@loupe/server';
import { databaseShapes } from '../../../tools/testing/databases';
import { loginCookie, waitProcessed as waitProcessedIn } from '../../../tools/testing/api-client';
import { batch, batches, fixture, gz, newId, rebase } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const post = (api: TestApi, key: string | undefined, body: Buffer, type = 'application/octet-stream') =>
  request(api.http).post(`/v1/ingest${key ? `?key=${key}` : ''}`).set('content-type', type).send(body);

describe.each(databaseShapes())('ingest and replay API on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
  });
  afterAll(() => api?.close());

  const rows = async (sql: string, params: unknown[]) => (await api.platform.dataSource.query(sql, params)) as Array<Record<string, unknown>>;
  const chunkCount = async (sessionId: string) => Number((await rows('SELECT count(*) AS n FROM recording_chunk WHERE session_id = $1', [sessionId]))[0]!.n);

  const waitProcessed = (sessionId: string) => waitProcessedIn(api, account.project.id, cookie, sessionId);


  it('accepts a gzip batch with 202, stores it with its session, and processes it', async () => {
    const events = rebase(fixture('demoit-desktop-81s'));
    const b = batch(events);
    const res = await post(api, account.project.publicKey, gz(b)).set('origin', 'https://shop.example.com').set('user-agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, duplicate: false });
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const detail = await waitProcessed(b.sessionId);
    expect(detail.session).toMatchObject({ id: b.sessionId, visitorId: b.visitorId, entryUrl: 'https://demoit.app/e/react#ReactHooks.js', viewport: { width: 1166, height: 705 }, device: 'desktop', eventCount: 272 });
    expect(detail.session.durationMs).toBeGreaterThan(80_000);
    expect(detail.session.durationMs).toBeLessThan(82_000);
    expect(detail.events.filter((e: { kind: string }) => e.kind === 'click').length).toBeGreaterThan(0);
    expect(detail.chunks).toEqual([expect.objectContaining({ windowId: 'main', seq: 0, eventCount: 272, fullSnapshots: [expect.any(Number)] })]);
  });

  it('answers a retried batch 202 and stores nothing new', async () => {
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 20));
    expect((await post(api, account.project.publicKey, gz(b))).body).toEqual({ accepted: true, duplicate: false });
    const again = await post(api, account.project.publicKey, gz({ ...b, batchId: newId() }));
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: true, duplicate: true });
    expect(await chunkCount(b.sessionId)).toBe(1);
  });

  it('takes the key from the X-Loupe-Key header, and plain JSON bodies sent as text/plain', async () => {
    // Without the full snapshot: as plain JSON it would pass the 1 MB body limit.
    const b = batch(rebase(fixture('smartx-mobile-166s')).slice(2, 12));
    const res = await request(api.http).post('/v1/ingest').set('x-loupe-key', account.project.publicKey).set('content-type', 'text/plain').send(JSON.stringify(b));
    expect(res.status).toBe(202);
    expect(await chunkCount(b.sessionId)).toBe(1);
  });

  it('answers a CORS preflight for any origin', async () => {
    const res = await request(api.http).options(`/v1/ingest?key=${account.project.publicKey}`).set('origin', 'https://a.example').set('access-control-request-method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://a.example');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
  });

  it.each([
    ['no key', undefined],
    ['an unknown key', 'pk_thisKeyDoesNotExist123'],
    ['a malformed key', "pk_'; DROP TABLE session; --"],
  ])('refuses %s with 401 and stores nothing', async (_, key) => {
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 5));
    const res = await post(api, key, gz(b));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/project key/);
    expect(await chunkCount(b.sessionId)).toBe(0);
  });

  it('refuses an origin the project does not allow', async () => {
    const create = await request(api.http).post('/api/v1/projects').set('cookie', cookie).send({ name: 'Locked', allowedOrigins: ['https://only.example.com'] });
    const key = create.body.project.publicKey as string;
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 5));
    const refused = await post(api, key, gz(b)).set('origin', 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('https://evil.example');
    expect((await post(api, key, gz(b)).set('origin', 'https://only.example.com')).status).toBe(202);
  });

  describe('bad bodies: a 4xx with a message, and nothing partial stored', () => {
    const events = () => rebase(fixture('demoit-desktop-81s')).slice(0, 30);
    const cases: Array<[string, () => { sessionId: string; body: Buffer }, number, RegExp]> = [
      ['truncated gzip', () => { const b = batch(events()); const z = gz(b); return { sessionId: b.sessionId, body: z.subarray(0, z.length - 20) }; }, 400, /not valid gzip/],
      ['gzip of something that is not JSON', () => ({ sessionId: newId(), body: gzipSync(Buffer.from('{"v":1, nope')) }), 400, /not valid JSON/],
      ['invalid UTF-8', () => ({ sessionId: newId(), body: gzipSync(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) }), 400, /UTF-8/],
      ['a decompression bomb', () => ({ sessionId: newId(), body: gzipSync(Buffer.alloc(15 * 1024 * 1024, 0x20)) }), 413, /decompression bomb/],
      ['a body over the compressed limit', () => ({ sessionId: newId(), body: Buffer.alloc(1024 * 1024 + 10, 1) }), 413, /larger than this endpoint accepts|limit/],
      ['a wrong envelope', () => { const b = batch(events(), { seq: -1, sessionId: 'x' }); return { sessionId: 'x', body: gz(b) }; }, 400, /sessionId .*; seq|seq/],
      ['events out of order', () => { const e = events(); [e[3], e[4]] = [e[4]!, e[3]!]; e[3]!.timestamp += 5000; const b = batch(e); return { sessionId: b.sessionId, body: gz(b) }; }, 400, /older than/],
      ['an absurd timestamp', () => { const e = events(); e.forEach((x) => (x.timestamp += 365 * 86400_000)); const b = batch(e); return { sessionId: b.sessionId, body: gz(b) }; }, 400, /from now|timestamp/],
      ['a __proto__ key', () => { const b = batch(events()); const json = JSON.stringify(b).replace('"events":[', '"events":[{"type":3,"timestamp":' + b.events[0]!.timestamp + ',"data":{"__proto__":{"polluted":1}}},'); return { sessionId: b.sessionId, body: gzipSync(Buffer.from(json)) }; }, 400, /__proto__/],
      ['an empty body', () => ({ sessionId: newId(), body: Buffer.alloc(0) }), 400, /body/],
    ];
    it.each(cases)('%s', async (_, make, status, message) => {
      const { sessionId, body } = make();
      const res = await post(api, account.project.publicKey, body);
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await chunkCount(sessionId)).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('keeps what was stored before intact', async () => {
      const good = batch(events());
      await post(api, account.project.publicKey, gz(good));
      const bad = { ...batch(events(), { sessionId: good.sessionId, visitorId: good.visitorId, seq: 1 }) };
      const z = gz(bad);
      expect((await post(api, account.project.publicKey, z.subarray(0, 40))).status).toBe(400);
      expect(await chunkCount(good.sessionId)).toBe(1);
    });
  });

  it('lists sessions newest first with filters and a cursor', async () => {
    const base = Date.now() - 3600_000;
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = batch(rebase(fixture('smartx-mobile-166s'), base + i * 60_000).slice(0, 40));
      await post(api, account.project.publicKey, gz(b)).set('user-agent', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1');
      made.push(b.sessionId);
    }
    for (const id of made) await waitProcessed(id);
    const from = new Date(base - 1000).toISOString();
    const to = new Date(base + 3 * 60_000).toISOString();
    const page1 = await request(api.http).get(`/api/v1/sessions?project=${account.project.id}&from=${from}&to=${to}&limit=2`).set('cookie', cookie);
    expect(page1.status).toBe(200);
    expect(page1.body.sessions.map((s: { id: string }) => s.id)).toEqual([made[2], made[1]]);
    const page2 = await request(api.http).get(`/api/v1/sessions?project=${account.project.id}&from=${from}&to=${to}&limit=2&cursor=${page1.body.nextCursor}`).set('cookie', cookie);
    expect(page2.body.sessions.map((s: { id: string }) => s.id)).toEqual([made[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const mobile = await request(api.http).get(`/api/v1/sessions?project=${account.project.id}&from=${from}&to=${to}&device=mobile&url=smartx.com/halo`).set('cookie', cookie);
    expect(mobile.body.sessions).toHaveLength(3);
    expect(mobile.body.sessions[0]).toMatchObject({ device: 'mobile', browser: expect.stringMatching(/Safari/), entryUrl: 'https://www.smartx.com/halo/' });
    const none = await request(api.http).get(`/api/v1/sessions?project=${account.project.id}&from=${from}&to=${to}&device=desktop`).set('cookie', cookie);
    expect(none.body.sessions).toEqual([]);
    const bad = await request(api.http).get(`/api/v1/sessions?project=${account.project.id}&minDuration=soon`).set('cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('minDuration');
  });

  it("never shows one project's sessions to another project's user", async () => {
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 10));
    await post(api, account.project.publicKey, gz(b));
    const stranger = await seedAccount(api);
    const login = await request(api.http).post('/api/v1/auth/login').send({ email: stranger.email, password: stranger.password });
    const theirs = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    for (const path of [`/api/v1/sessions?project=${account.project.id}`, `/api/v1/sessions/${b.sessionId}?project=${account.project.id}`, `/api/v1/sessions/${b.sessionId}/export?project=${account.project.id}`, `/api/v1/sessions/${b.sessionId}?project=${stranger.project.id}`]) {
      const res = await request(api.http).get(path).set('cookie', theirs);
      expect(res.status, path).toBe(404);
    }
  });

  it.each(['demoit-desktop-81s', 'smartx-mobile-166s'] as const)('imports %s and exports it event for event', async (name) => {
    const events = fixture(name);
    const res = await request(api.http).post(`/api/v1/sessions/import?project=${account.project.id}`).set('cookie', cookie).set('content-type', 'application/json').send(JSON.stringify(events));
    expect(res.status).toBe(201);
    const sessionId = res.body.sessionId as string;
    const detail = await waitProcessed(sessionId);
    expect(detail.session.eventCount).toBe(events.length);
    const exported = await request(api.http).get(`/api/v1/sessions/${sessionId}/export?project=${account.project.id}`).set('cookie', cookie);
    expect(exported.status).toBe(200);
    expect(exported.body).toHaveLength(events.length);
    for (let i = 0; i < events.length; i++) expect(exported.body[i], `event ${i}`).toEqual(events[i]);
  });

  it('serves one chunk compressed, as stored, for progressive replay', async () => {
    const [first, second] = batches(rebase(fixture('demoit-desktop-81s')), 150);
    await post(api, account.project.publicKey, gz(first));
    await post(api, account.project.publicKey, gz(second));
    const detail = await waitProcessed(first!.sessionId);
    expect(detail.chunks.map((c: { seq: number }) => c.seq)).toEqual([0, 1]);
    const path = `/api/v1/sessions/${first!.sessionId}/chunks/main/1?project=${account.project.id}`;
    const whileOpen = await request(api.http).get(path).set('cookie', cookie).set('accept-encoding', 'gzip, br');
    expect(whileOpen.headers['content-encoding']).toBe('gzip');
    expect(whileOpen.body.events).toEqual(second!.events);
    // Once the visit has been quiet for 30 minutes it is closed, and its chunks kept brotli-compressed:
    // smaller than the gzip that came in.
    await rows("UPDATE session SET last_received_at = now() - interval '31 minutes' WHERE id = $1", [first!.sessionId]);
    const ended = await api.app.get(EndSessionJob).handle({ projectId: account.project.id, sessionId: first!.sessionId }, {} as Job);
    expect(ended).toEqual({ ended: true, recompressed: 2 });
    const [stored] = await rows("SELECT encoding, stored_bytes, raw_bytes FROM recording_chunk WHERE session_id = $1 AND seq = 1", [first!.sessionId]);
    expect(stored).toMatchObject({ encoding: 'br' });
    expect(Number(stored!.stored_bytes)).toBeLessThan(gz(second).length);
    const asStored = await request(api.http).get(path).set('cookie', cookie).set('accept-encoding', 'gzip, br').buffer(true).parse((r, done) => { const parts: Buffer[] = []; r.on('data', (c: Buffer) => parts.push(c)); r.on('end', () => done(null, Buffer.concat(parts))); });
    expect(asStored.status).toBe(200);
    expect(asStored.headers['content-encoding']).toBe('br');
    const plain = await request(api.http).get(path).set('cookie', cookie).set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.events).toEqual(second!.events);
  });

  it('keeps answering 202 when the queue is unreachable, and the sweeper gets those chunks processed', async () => {
    // A second api on the same database whose queue (a Redis on a closed port) cannot be reached.
    const cutOff = await startTestApi(shape.url, { REDIS_URL: 'redis://127.0.0.1:1', LOUPE_INLINE_WORKER: 'false' });
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 30));
    try {
      const res = await post(cutOff, account.project.publicKey, gz(b));
      expect(res.status).toBe(202);
    } finally {
      await cutOff.close();
    }
    expect(await chunkCount(b.sessionId)).toBe(1);
    const { enqueued } = await api.app.get(SweepJob).sweep(0);
    expect(enqueued).toBeGreaterThanOrEqual(1);
    const detail = await waitProcessed(b.sessionId);
    expect(detail.session.processed).toBe(true);
  });
});
