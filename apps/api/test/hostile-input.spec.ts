import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { loginCookie } from '../../../tools/testing/api-client';
import { batch, fixture, gz, newId, rebase } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

/** Values an attacker puts in ids and filters: SQL, path traversal, encodings, sizes and types PostgreSQL cannot take. */
const HOSTILE = [
  "' OR '1'='1",
  "1; DROP TABLE session; --",
  "x' UNION SELECT password_hash FROM app_user --",
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'nul\u0000byte',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  '-1',
  '1e999',
  'NaN',
  '9'.repeat(400),
  'a'.repeat(10_000),
].map(encodeURIComponent).concat([
  // Already encoded, sent as they are: a lone surrogate as UTF-8, broken escapes, an encoded traversal.
  '%ED%A0%80',
  '%',
  '%zz',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
]);

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
}

/** Every route of the OpenAPI document the api serves, with the parameters each one declares. */
async function registeredOperations(api: TestApi): Promise<Operation[]> {
  const doc = (await request(api.http).get('/api/docs/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  );
}

/** A body is answered with a 4xx that says what was wrong in words, or accepted. */
function expectHandled(res: request.Response, what: string): void {
  expect(res.status, `${what}: ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body.message, `${what}: a JSON error with a message`).toBe('string');
    expect(res.body.message.length, what).toBeGreaterThan(5);
  }
}

/** Sends a request declaring `declared` bytes of body but writing only a few: the limit must act on the header. */
function declareLength(base: string, path: string, type: string, declared: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: 'POST', headers: { 'content-type': type, 'content-length': String(declared) } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write('{"a":1');
    // Never finished: a server that waits for the rest would hang the test, one that checks the header answers now.
  });
}

describe.each(databaseShapes())('hostile input on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  let stored: { sessionId: string };

  /**
   * A checksum of everything stored for the project: every row of every table with a project_id,
   * the project itself and its organization. Equal before and after means nothing was altered.
   */
  async function checksum(projectId: string): Promise<Record<string, string>> {
    const tables = (await api.platform.dataSource.query(
      "SELECT table_name FROM information_schema.columns WHERE column_name = 'project_id' AND table_schema = 'public' ORDER BY table_name",
    )) as Array<{ table_name: string }>;
    const sums: Record<string, string> = {};
    for (const { table_name: t } of tables) {
      // An erasure request is audited even when it finds no one: the sweep's DELETE /people/:id
      // calls leave that record, and only that.
      const where = t === 'audit_log' ? "project_id = $1 AND action <> 'person.deleted'" : 'project_id = $1';
      const [row] = (await api.platform.dataSource.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS sum FROM "${t}" x WHERE ${where}`, [projectId])) as Array<{ n: number; sum: string }>;
      sums[t] = `${row!.n}:${row!.sum}`;
    }
    const [project] = (await api.platform.dataSource.query('SELECT md5(p::text) AS p, md5(o::text) AS o FROM project p JOIN organization o ON o.id = p.organization_id WHERE p.id = $1', [projectId])) as Array<{ p: string; o: string }>;
    sums.project = `${project!.p}:${project!.o}`;
    return sums;
  }

  /** Waits until every chunk of the project is processed and every session analysed: nothing left to change it. */
  async function settled(projectId: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const [row] = (await api.platform.dataSource.query(
        `SELECT (SELECT count(*) FROM recording_chunk WHERE project_id = $1 AND processed_at IS NULL)
              + (SELECT count(*) FROM session WHERE project_id = $1 AND (analysed_at IS NULL OR analysed_at < facts_changed_at))::int AS n`,
        [projectId],
      )) as Array<{ n: number }>;
      if (Number(row!.n) === 0) return;
      if (Date.now() - started > 30_000) throw new Error('the stored visit was not processed within 30 s');
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    // Something stored to be kept intact: a processed visit.
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 60));
    expect((await request(api.http).post(`/v1/ingest?key=${account.project.publicKey}`).set('content-type', 'application/octet-stream').send(gz(b))).status).toBe(202);
    stored = { sessionId: b.sessionId };
    await settled(account.project.id);
  });
  afterAll(() => api?.close());

  const ingest = (body: Buffer | string, type = 'application/octet-stream', key = account.project.publicKey) => request(api.http).post(`/v1/ingest?key=${key}`).set('content-type', type).send(body);
  const chunksOf = async (sessionId: string) => Number(((await api.platform.dataSource.query('SELECT count(*)::int AS n FROM recording_chunk WHERE session_id = $1', [sessionId])) as Array<{ n: number }>)[0]!.n);
  const events = () => rebase(fixture('demoit-desktop-81s')).slice(0, 20);
  const nest = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

  describe('ingest bodies', () => {
    const cases: Array<[string, () => { sessionId: string; body: Buffer | string; type?: string }, number, RegExp]> = [
      ['gzip cut in its header', () => ({ sessionId: newId(), body: Buffer.from([0x1f, 0x8b, 0x08]) }), 400, /not valid gzip/],
      ['gzip with a corrupted checksum', () => { const b = batch(events()); const z = gz(b); z[z.length - 6] ^= 0xff; return { sessionId: b.sessionId, body: z }; }, 400, /not valid gzip/],
      ['gzip followed by garbage', () => { const b = batch(events()); return { sessionId: b.sessionId, body: Buffer.concat([gz(b), Buffer.from('garbage after the stream')]) }; }, 400, /gzip/],
      ['a gzip bomb past the output cap', () => ({ sessionId: newId(), body: gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20), { level: 9 }) }), 413, /decompress/],
      ['a gzip bomb nested in gzip', () => ({ sessionId: newId(), body: gzipSync(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0))) }), 413, /expands|decompress/],
      ['JSON nested 100 000 deep in an event', () => { const b = batch(events()); return { sessionId: b.sessionId, body: gzipSync(JSON.stringify(b).replace('"events":[', `"events":[{"type":5,"timestamp":${b.events[0]!.timestamp},"data":${nest(100_000)}},`)) }; }, 400, /nest/],
      ['JSON nested 100 000 deep as the whole body, uncompressed', () => ({ sessionId: newId(), body: nest(100_000, '{"a":', '}').replace(/}$/, '1}'), type: 'text/plain' }), 400, /nest/],
      ['a huge number as seq', () => { const b = batch(events()); return { sessionId: b.sessionId, body: gzipSync(JSON.stringify(b).replace(/"seq":0/, `"seq":1${'0'.repeat(400)}`)) }; }, 400, /seq/],
      ['a timestamp beyond any date', () => { const e = events(); e[0]!.timestamp = 1e308; const b = batch(e); return { sessionId: b.sessionId, body: gz(b) }; }, 400, /timestamp|time|older|from now/],
      ['a 1 MB session id', () => ({ sessionId: 'x', body: gz(batch(events(), { sessionId: 'a'.repeat(1024 * 1024) })) }), 400, /sessionId/],
      ['twenty megabytes of one string in an event', () => { const b = batch(events()); b.events.push({ type: 5, timestamp: b.events[b.events.length - 1]!.timestamp, data: { tag: 'x', payload: 'y'.repeat(20 * 1024 * 1024) } }); return { sessionId: b.sessionId, body: gzipSync(JSON.stringify(b), { level: 1 }) }; }, 413, /expands|decompress/],
      ['invalid UTF-8 inside a string', () => { const b = batch(events()); const json = Buffer.from(JSON.stringify(b)); const at = json.indexOf('"sessionId":"') + 14; json[at] = 0xc3; json[at + 1] = 0x28; return { sessionId: b.sessionId, body: gzipSync(json) }; }, 400, /UTF-8/],
      ['an overlong UTF-8 encoding of a quote', () => ({ sessionId: newId(), body: gzipSync(Buffer.concat([Buffer.from('{"v":1,"sessionId":"'), Buffer.from([0xc0, 0xa2]), Buffer.from('"}')])) }), 400, /UTF-8/],
      ['a "constructor": {"prototype"} key', () => { const b = batch(events()); const json = JSON.stringify(b).replace('"events":[', `"constructor":{"prototype":{"polluted":1}},"events":[`); return { sessionId: b.sessionId, body: gzipSync(json) }; }, 400, /prototype/],
      ['a __proto__ key written with a unicode escape', () => { const b = batch(events()); const json = JSON.stringify(b).replace('"events":[', `"\\u005f_proto__":{"polluted":1},"events":[`); return { sessionId: b.sessionId, body: gzipSync(json) }; }, 400, /__proto__/],
      ['a batch of plain JSON sent as application/json', () => { const b = batch(events()); return { sessionId: b.sessionId, body: JSON.stringify(b), type: 'application/json' }; }, 400, /Content-Type application\/octet-stream/],
      ['a form post', () => ({ sessionId: newId(), body: 'a=1&b=2', type: 'application/x-www-form-urlencoded' }), 415, /Content-Type|content type/i],
      ['multipart', () => ({ sessionId: newId(), body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', type: 'multipart/form-data; boundary=x' }), 415, /Content-Type|content type/i],
      ['XML', () => ({ sessionId: newId(), body: '<batch/>', type: 'application/xml' }), 415, /Content-Type|content type/i],
    ];
    it.each(cases)('%s: a 4xx with a message, nothing stored', async (what, make, status, message) => {
      const before = await checksum(account.project.id);
      const { sessionId, body, type } = make();
      const res = await ingest(body as Buffer, type);
      expectHandled(res, what);
      expect(res.status, res.text.slice(0, 300)).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await chunksOf(sessionId)).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await checksum(account.project.id)).toEqual(before);
    }, 60_000);
  });

  describe('bodies over every limit', () => {
    let base: string;
    beforeAll(async () => {
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    });

    it.each([
      ['/v1/ingest?key=pk_x', 'application/octet-stream', 1024 * 1024],
      ['/v1/feedback?key=pk_x', 'text/plain', 32 * 1024],
      ['/api/v1/auth/login', 'application/json', 1024 * 1024],
      ['/api/v1/experiments/analyze', 'application/json', 1024 * 1024],
      ['/api/v1/sessions/import?project=x', 'application/json', 256 * 1024 * 1024],
    ])('%s refuses a body declared over its limit at once, with 413', async (path, type, limit) => {
      const res = await declareLength(base, path, type, limit + 1);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).message).toMatch(/larger than|limit/);
    });

    it.each([
      ['/v1/ingest', 1024 * 1024, 'application/octet-stream'],
      ['/v1/feedback', 32 * 1024, 'text/plain'],
      ['/api/v1/experiments/analyze', 1024 * 1024, 'application/json'],
    ])('%s refuses a body sent over its limit without a length, with 413', async (path, limit, type) => {
      // Chunked: no Content-Length, so the limit must be enforced while the body is read.
      const res = await fetch(`${base}${path}?key=${account.project.publicKey}`, {
        method: 'POST',
        headers: { 'content-type': type, cookie },
        body: new ReadableStream({
          start(c) {
            for (let sent = 0; sent <= limit; sent += 64 * 1024) c.enqueue(new TextEncoder().encode('['.repeat(64 * 1024)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { message: string }).message).toMatch(/larger than|limit/);
    });
  });

  describe('JSON API bodies', () => {
    it.each([
      ['nested 100 000 deep', nest(100_000)],
      ['nested objects 10 000 deep', nest(10_000, '{"a":', '}').replace(/}$/, '1}')],
      ['a number past any double', `{"variants":[{"key":"a","weight":1${'0'.repeat(400)},"users":1}]}`],
      ['a __proto__ key', '{"__proto__":{"polluted":true},"variants":[]}'],
      ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":true}},"variants":[]}'],
      ['invalid JSON', '{"variants": [1, 2,'],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ])('the analyze endpoint answers %s with 400 and a message', async (_what, body) => {
      const res = await request(api.http).post('/api/v1/experiments/analyze').set('cookie', cookie).set('content-type', 'application/json').send(body as string);
      expectHandled(res, _what);
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses a wrong content type on a JSON route with 415', async () => {
      const res = await request(api.http).post('/api/v1/experiments/analyze').set('cookie', cookie).set('content-type', 'application/xml').send('<a/>');
      expectHandled(res, 'xml');
      expect(res.status).toBe(415);
    });
  });

  it('answers hostile strings in every id and filter of every registered route with a 4xx or an empty answer, and alters nothing', async () => {
    const before = await checksum(account.project.id);
    const operations = (await registeredOperations(api)).filter((op) => !op.path.startsWith('/api/v1/auth/'));
    expect(operations.length).toBeGreaterThan(30);
    let tried = 0;
    const fill = (path: string, value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_, name: string) => value(name));
    const send = async (op: Operation, url: string) => {
      const r = request(api.http)[op.method as 'get'](url).set('cookie', cookie);
      const res = op.method === 'get' || op.method === 'delete' ? await r : await r.send({});
      tried++;
      return res;
    };
    for (const op of operations) {
      for (const value of HOSTILE) {
        // Every id of the path at once, with the caller's own project where a project is asked for.
        const projectQuery = op.queryParams.includes('project') ? `?project=${account.project.id}` : '';
        if (op.pathParams.length) expectHandled(await send(op, fill(op.path, () => value) + projectQuery), `${op.method} ${op.path} ← ${value.slice(0, 40)}`);
        // Each filter in turn, the path's ids being the caller's project or a stored session.
        for (const q of op.queryParams) {
          const path = fill(op.path, (name) => (/project/i.test(name) ? account.project.id : name === 'id' && op.path.includes('sessions') ? stored.sessionId : 'nothing-here'));
          const query = `${op.queryParams.includes('project') && q !== 'project' ? `project=${account.project.id}&` : ''}${q}=${value}`;
          expectHandled(await send(op, `${path}?${query}`), `${op.method} ${op.path} ?${q}=${value.slice(0, 40)}`);
        }
      }
    }
    expect(tried).toBeGreaterThan(500);
    console.info(`hostile route sweep (${shape.name}): ${tried} requests over ${operations.length} operations, none answered 5xx`);
    expect(await checksum(account.project.id)).toEqual(before);
    expect((await request(api.http).get('/healthz')).status).toBe(200);
  }, 120_000);

  describe('fuzzing with fast-check', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
    const anyValue = fc.oneof(fc.anything(), fc.string({ maxLength: 300 }), fc.double(), fc.bigInt().map(String), fc.constant(null));

    it('ingest answers any envelope with 202 or a 4xx and a message, and keeps another project intact', async () => {
      const before = await checksum(account.project.id);
      const fuzzed = await seedAccount(api);
      const base = events();
      const event = fc.record({ type: fc.oneof(fc.integer({ min: -2, max: 8 }), anyValue), timestamp: fc.oneof(fc.constant(base[0]!.timestamp), fc.double(), anyValue), data: anyValue }, { requiredKeys: [] });
      // Mostly valid fields, so that the fuzzing reaches past the first check as often as it is stopped by one.
      const often = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyValue, weight: 1 });
      const envelope = fc.record(
        {
          v: often(fc.constant(1)),
          sessionId: often(id),
          visitorId: often(id),
          windowId: often(id),
          seq: often(fc.oneof(fc.nat(1000), fc.integer(), fc.double())),
          batchId: often(id),
          sentAt: often(fc.constant(Date.now())),
          events: fc.oneof({ arbitrary: fc.subarray(base, { minLength: 1 }), weight: 4 }, { arbitrary: fc.array(event, { maxLength: 30 }), weight: 1 }, { arbitrary: anyValue, weight: 1 }),
        },
        { requiredKeys: ['v', 'sessionId', 'visitorId', 'seq', 'batchId', 'events'] },
      );
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(envelope, fc.boolean(), async (env, compress) => {
          const json = JSON.stringify(env) ?? 'null';
          // Generated ids repeat across runs ("constructor", "a"): an earlier accepted batch may have
          // stored chunks of the same session, so what a refusal must leave is the count as it was.
          const chunksOf = async (sessionId: string) =>
            ((await api.platform.dataSource.query('SELECT count(*)::int AS n FROM recording_chunk WHERE project_id = $1 AND session_id = $2', [fuzzed.project.id, sessionId])) as Array<{ n: number }>)[0]!.n;
          const before = typeof env.sessionId === 'string' ? await chunksOf(env.sessionId) : 0;
          const res = await ingest(compress ? gzipSync(json) : json, compress ? 'application/octet-stream' : 'text/plain', fuzzed.project.publicKey);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expectHandled(res, json.slice(0, 200));
          expect([202, 400, 413]).toContain(res.status);
          if (res.status !== 202 && typeof env.sessionId === 'string') expect(await chunksOf(env.sessionId)).toBe(before);
        }),
        { numRuns: 300 },
      );
      // Both answers were met: the fuzzing reached past the envelope as well as being refused by it.
      expect(statuses.get(400)).toBeGreaterThan(0);
      expect(statuses.get(202)).toBeGreaterThan(0);
      expect(await checksum(account.project.id)).toEqual(before);
    }, 120_000);

    it('ingest answers any bytes with a 4xx and a message', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.boolean(), async (bytes, asGzipHeader) => {
          const body = Buffer.from(bytes);
          if (asGzipHeader && body.length >= 2) body.set([0x1f, 0x8b], 0);
          const res = await ingest(body);
          expectHandled(res, body.subarray(0, 20).toString('hex'));
          expect(res.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: 200 },
      );
    }, 60_000);

    it('the analyze endpoint answers any request with 200 or a 400 naming a field, never NaN or a crash', async () => {
      const num = fc.oneof(fc.double(), fc.integer(), fc.nat(10_000), fc.constant(0), fc.constant(1e308), fc.constant(-1e308), fc.constant(5e-324), anyValue);
      const key = fc.oneof(fc.constantFrom('control', 'b', 'c', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 20 }));
      const stat = fc.record(
        { type: fc.oneof(fc.constantFrom('proportion', 'mean', 'ratio'), anyValue), n: num, sum: num, sumSquares: num, denominatorSum: num, denominatorSumSquares: num, mainDenominatorSum: num },
        { requiredKeys: ['type', 'n', 'sum'] },
      );
      const request_ = fc.record(
        {
          engine: fc.oneof(fc.constantFrom('frequentist', 'bayesian'), anyValue),
          difference: fc.constantFrom('relative', 'absolute'),
          alpha: num,
          alternative: fc.constantFrom('two-sided', 'greater', 'less'),
          variants: fc.array(fc.record({ key, weight: fc.oneof(fc.constant(0.5), num), users: num }), { maxLength: 4 }),
          metrics: fc.array(fc.record({ key, inverse: fc.boolean(), stats: fc.dictionary(key, stat, { maxKeys: 4 }) }), { maxLength: 3 }),
        },
        { requiredKeys: ['variants', 'metrics'] },
      );
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(request_, async (body) => {
          const json = JSON.stringify(body);
          const res = await request(api.http).post('/api/v1/experiments/analyze').set('cookie', cookie).set('content-type', 'application/json').send(json);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expectHandled(res, json.slice(0, 300));
          expect([200, 400]).toContain(res.status);
          if (res.status === 400) expect(Array.isArray(res.body.issues) || /JSON|body/.test(res.body.message)).toBe(true);
          // JSON cannot carry NaN or Infinity: every figure is a finite number or null.
          if (res.status === 200) expect(res.text).not.toMatch(/NaN|Infinity/);
        }),
        { numRuns: 300 },
      );
      expect(statuses.get(400)).toBeGreaterThan(0);
    }, 60_000);
  });
});
