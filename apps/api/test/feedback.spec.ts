import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AnswerForwarding, CxService, QueueService } from '@loupe/server';
import { databaseShapes } from '../../../tools/testing/databases';
import { newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const DESKTOP_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const DAY = 86_400_000;

interface Received {
  body: { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
  contentType: string;
}

/** A stand-in for Slack: keeps every JSON body posted to it, and answers with the statuses planned. */
async function startReceiver() {
  const received: Received[] = [];
  const plan: number[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      const status = plan.shift() ?? 200;
      if (status === 200) received.push({ body: JSON.parse(data) as Received['body'], contentType: String(req.headers['content-type']) });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/feedback`, received, plan, close: () => new Promise((r) => server.close(r)) };
}

describe.each(databaseShapes())('feedback: surveys, answers, inbox and CX on the $name database', (shape) => {
  let api: TestApi;
  let owner: SeededAccount;
  let cookie: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const loginAs = async (a: SeededAccount) => {
    const res = await request(api.http).post('/api/v1/auth/login').send({ email: a.email, password: a.password });
    return ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  };
  const rows = async (sql: string, params: unknown[]) => (await api.platform.dataSource.query(sql, params)) as Array<Record<string, unknown>>;
  const count = async (table: string, projectId: string) => Number((await rows(`SELECT count(*) AS n FROM ${table} WHERE project_id = $1`, [projectId]))[0]!.n);

  const get = (path: string, c = cookie) => request(api.http).get(path).set('cookie', c);
  const createSurvey = async (projectId: string, body: Record<string, unknown>, c = cookie) => {
    const res = await request(api.http).post(`/api/v1/surveys?project=${projectId}`).set('cookie', c).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.survey as { id: string; status: string };
  };
  const visit = () => ({ sessionId: newId(), visitorId: newId() });
  const answer = (key: string, surveyId: string, over: Record<string, unknown> = {}, ua = DESKTOP_UA) =>
    request(api.http)
      .post(`/v1/feedback?key=${key}`)
      .set('user-agent', ua)
      .send({ id: newId(), surveyId, ...visit(), at: Date.now(), url: 'https://shop.example.com/checkout', score: 9, comment: null, variants: {}, ...over });
  const shown = (key: string, surveyId: string, over: Record<string, unknown> = {}) =>
    request(api.http).post(`/v1/feedback/impressions?key=${key}`).send({ id: newId(), kind: 'shown', surveyId, ...visit(), at: Date.now(), url: 'https://shop.example.com/checkout', variants: {}, ...over });

  beforeAll(async () => {
    receiver = await startReceiver();
    api = await startTestApi(shape.url, { PUBLIC_URL: 'https://loupe.example.com', LOUPE_WEBHOOKS_ALLOW_PRIVATE: 'true' });
    owner = await seedAccount(api);
    cookie = await loginAs(owner);
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  describe('surveys', () => {
    it('creates an NPS survey with the default texts, as a draft that pages do not see', async () => {
      const res = await request(api.http).post(`/api/v1/surveys?project=${owner.project.id}`).set('cookie', cookie).send({ name: 'Checkout NPS', kind: 'nps' });
      expect(res.status).toBe(201);
      expect(res.body.survey).toMatchObject({
        name: 'Checkout NPS',
        kind: 'nps',
        status: 'draft',
        scale: { min: 0, max: 10 },
        question: 'How likely are you to recommend us to a friend or colleague?',
        labels: { low: 'Not at all likely', high: 'Extremely likely' },
        presentation: { mode: 'popover', position: 'bottom-right' },
        targeting: { urls: [], sampleRate: 100, trigger: { type: 'load' } },
        answers: 0,
        shown: 0,
      });
      expect(res.body.survey.followUps).toHaveLength(3);
      const config = await request(api.http).get(`/v1/config?key=${owner.project.publicKey}`);
      expect(config.body.surveys.surveys.map((s: { id: string }) => s.id)).not.toContain(res.body.survey.id);
    });

    it('offers a running survey to pages through the SDK configuration, without its internal name', async () => {
      const other = await seedAccount(api);
      const c = await loginAs(other);
      const s = await createSurvey(other.project.id, { name: 'Internal name', kind: 'csat', points: 7, question: 'Happy with the checkout?', targeting: { urls: ['/checkout*'], devices: ['mobile'], trigger: { type: 'delay', delaySeconds: 5 }, sampleRate: 50 } }, c);
      await request(api.http).patch(`/api/v1/surveys/${s.id}?project=${other.project.id}`).set('cookie', c).send({ status: 'running' });
      const config = await request(api.http).get(`/v1/config?key=${other.project.publicKey}`);
      expect(config.status).toBe(200);
      expect(config.body.surveys.surveys).toEqual([
        expect.objectContaining({
          id: s.id,
          kind: 'csat',
          scale: { min: 1, max: 7 },
          question: 'Happy with the checkout?',
          targeting: expect.objectContaining({ urls: ['/checkout*'], devices: ['mobile'], trigger: { type: 'delay', delaySeconds: 5 }, sampleRate: 50 }),
        }),
      ]);
      expect(JSON.stringify(config.body)).not.toContain('Internal name');
    });

    it('changes the fields named, inside targeting too, and keeps the rest', async () => {
      const s = await createSurvey(owner.project.id, { name: 'To edit', kind: 'ces', targeting: { urls: ['/help*'], sampleRate: 20 } });
      const res = await request(api.http).patch(`/api/v1/surveys/${s.id}?project=${owner.project.id}`).set('cookie', cookie).send({ question: 'How easy was it to find help?', targeting: { sampleRate: 80 } });
      expect(res.status).toBe(200);
      expect(res.body.survey).toMatchObject({ question: 'How easy was it to find help?', kind: 'ces', targeting: { urls: ['/help*'], sampleRate: 80 } });
      const kind = await request(api.http).patch(`/api/v1/surveys/${s.id}?project=${owner.project.id}`).set('cookie', cookie).send({ kind: 'nps' });
      expect(kind.status).toBe(400);
      expect(kind.body.message).toMatch(/unknown field.*kind/);
    });

    it.each([
      ['a follow-up outside the scale', { kind: 'nps', followUps: [{ from: 0, to: 11, question: 'Why?' }] }, /followUps\.0.*scale, 0 to 10|followUps.*at most 10|followUps\.0/],
      ['a 7-point NPS', { kind: 'nps', points: 7 }, /points applies to CSAT surveys only/],
      ['an embedded survey without its element', { kind: 'csat', presentation: { mode: 'embedded' } }, /presentation\.selector is required/],
      ['an event trigger without the event', { kind: 'ces', targeting: { trigger: { type: 'event' } } }, /targeting\.trigger\.event is required/],
      ['a colour that is not one', { kind: 'ces', presentation: { color: 'red' } }, /presentation\.color must be a colour/],
      ['an unknown kind', { kind: 'stars' }, /kind/],
    ])('refuses %s with 400 naming the field', async (_, body, message) => {
      const before = await count('survey', owner.project.id);
      const res = await request(api.http).post(`/api/v1/surveys?project=${owner.project.id}`).set('cookie', cookie).send({ name: 'Bad', ...body });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
      expect(await count('survey', owner.project.id)).toBe(before);
    });

    it('lets viewers read surveys but not change them, and hides them from other organizations', async () => {
      const viewer = await seedAccount(api, 'viewer');
      const vc = await loginAs(viewer);
      expect((await get(`/api/v1/surveys?project=${viewer.project.id}`, vc)).status).toBe(200);
      const refused = await request(api.http).post(`/api/v1/surveys?project=${viewer.project.id}`).set('cookie', vc).send({ name: 'No', kind: 'nps' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/member, admin or owner/);
      const s = await createSurvey(owner.project.id, { name: 'Private', kind: 'nps' });
      expect((await get(`/api/v1/surveys/${s.id}?project=${owner.project.id}`, vc)).status).toBe(404);
      expect((await get(`/api/v1/surveys?project=${owner.project.id}`, vc)).status).toBe(404);
    });

    it('deletes a survey nobody answered, and refuses to delete one with answers', async () => {
      const empty = await createSurvey(owner.project.id, { name: 'Empty', kind: 'nps' });
      expect((await request(api.http).delete(`/api/v1/surveys/${empty.id}?project=${owner.project.id}`).set('cookie', cookie)).status).toBe(204);
      const used = await createSurvey(owner.project.id, { name: 'Used', kind: 'nps', status: 'running' });
      expect((await answer(owner.project.publicKey, used.id)).status).toBe(202);
      const refused = await request(api.http).delete(`/api/v1/surveys/${used.id}?project=${owner.project.id}`).set('cookie', cookie);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/End it instead/);
    });
  });

  describe('answers from the widget', () => {
    let nps: string;
    let csat: string;
    let ces: string;
    let comment: string;

    beforeAll(async () => {
      nps = (await createSurvey(owner.project.id, { name: 'NPS', kind: 'nps', status: 'running' })).id;
      csat = (await createSurvey(owner.project.id, { name: 'CSAT', kind: 'csat', status: 'running' })).id;
      ces = (await createSurvey(owner.project.id, { name: 'CES', kind: 'ces', status: 'running' })).id;
      comment = (await createSurvey(owner.project.id, { name: 'Comments', kind: 'comment', status: 'running' })).id;
    });

    it('stores an answer with its session, answered before any recording arrived, and stores a retry once', async () => {
      const v = visit();
      const body = { id: newId(), surveyId: nps, ...v, at: Date.now(), url: 'https://shop.example.com/thanks', score: 3, comment: 'Shipping costs were a surprise', variants: { checkout: 'b' } };
      const res = await request(api.http).post(`/v1/feedback?key=${owner.project.publicKey}`).set('origin', 'https://shop.example.com').send(body);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: true, duplicate: false });
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      const again = await request(api.http).post(`/v1/feedback?key=${owner.project.publicKey}`).send(body);
      expect(again.body).toEqual({ accepted: true, duplicate: true });
      const stored = await rows('SELECT score, comment, comment_question, kind, scale_min, scale_max, variants FROM feedback WHERE project_id = $1 AND session_id = $2', [owner.project.id, v.sessionId]);
      expect(stored).toEqual([
        { score: 3, comment: 'Shipping costs were a surprise', comment_question: 'What disappointed you, or what was missing?', kind: 'nps', scale_min: 0, scale_max: 10, variants: { checkout: 'b' } },
      ]);
      const session = await rows('SELECT visitor_id FROM session WHERE project_id = $1 AND id = $2', [owner.project.id, v.sessionId]);
      expect(session).toEqual([{ visitor_id: v.visitorId }]);
    });

    it("adds the variants the session's recording reported to those the page sent, the page's winning", async () => {
      const v = visit();
      await api.platform.dataSource.query(`INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at) VALUES ($1, $2, $3, now(), now())`, [owner.project.id, v.sessionId, v.visitorId]);
      for (const [i, [name, variant]] of [['pricing', 'cheap'], ['banner', 'red']].entries()) {
        await api.platform.dataSource.query(
          `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, name, props, session_day)
           VALUES ($1, $2, 'main', 0, $3, now(), 'exposure', $4, $5::jsonb, (SELECT created_on FROM session WHERE project_id = $1 AND id = $2))`,
          [owner.project.id, v.sessionId, i, name, JSON.stringify({ variant })],
        );
      }
      expect((await answer(owner.project.publicKey, nps, { ...v, variants: { banner: 'blue', checkout: 'a' } })).status).toBe(202);
      const [row] = await rows('SELECT variants FROM feedback WHERE project_id = $1 AND session_id = $2', [owner.project.id, v.sessionId]);
      expect(row!.variants).toEqual({ pricing: 'cheap', banner: 'blue', checkout: 'a' });
    });

    it('takes JSON sent as text/plain (no preflight) and answers the CORS preflight', async () => {
      const res = await request(api.http)
        .post(`/v1/feedback?key=${owner.project.publicKey}`)
        .set('content-type', 'text/plain')
        .send(JSON.stringify({ id: newId(), surveyId: comment, ...visit(), at: Date.now(), url: 'https://shop.example.com/', score: null, comment: 'Love it', variants: {} }));
      expect(res.status).toBe(202);
      const pre = await request(api.http).options('/v1/feedback').set('origin', 'https://a.example').set('access-control-request-method', 'POST');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('https://a.example');
      expect(pre.headers['access-control-allow-methods']).toContain('POST');
      const shownPre = await request(api.http).options('/v1/feedback/impressions').set('origin', 'https://a.example');
      expect(shownPre.status).toBe(204);
    });

    it('records showings once per id and kind', async () => {
      const id = newId();
      const v = visit();
      expect((await shown(owner.project.publicKey, nps, { id, ...v })).body).toEqual({ accepted: true, duplicate: false });
      expect((await shown(owner.project.publicKey, nps, { id, ...v })).body).toEqual({ accepted: true, duplicate: true });
      expect((await shown(owner.project.publicKey, nps, { id, ...v, kind: 'dismissed' })).body).toEqual({ accepted: true, duplicate: false });
    });

    describe('bad input: a 4xx with a message, and nothing stored', () => {
      let foreignSurvey: string;
      let draft: string;
      beforeAll(async () => {
        const other = await seedAccount(api);
        foreignSurvey = (await createSurvey(other.project.id, { name: 'Theirs', kind: 'nps', status: 'running' }, await loginAs(other))).id;
        draft = (await createSurvey(owner.project.id, { name: 'Draft', kind: 'nps' })).id;
      });

      const cases: Array<[string, () => Record<string, unknown>, number, RegExp, string?]> = [
        ['an NPS score of 11', () => ({ surveyId: nps, score: 11 }), 400, /outside this NPS survey's scale: send a whole number from 0 to 10/],
        ['an NPS score of -1', () => ({ surveyId: nps, score: -1 }), 400, /from 0 to 10/],
        ['a CSAT score of 0', () => ({ surveyId: csat, score: 0 }), 400, /outside this CSAT survey's scale: send a whole number from 1 to 5/],
        ['a CES score of 8', () => ({ surveyId: ces, score: 8 }), 400, /from 1 to 7/],
        ['a score of 4.5', () => ({ surveyId: csat, score: 4.5 }), 400, /score must be a whole number/],
        ['no score on an NPS survey', () => ({ surveyId: nps, score: null, comment: 'hm' }), 400, /score is missing/],
        ['a score on a comment survey', () => ({ surveyId: comment, score: 5, comment: 'x' }), 400, /takes no score/],
        ['an empty comment on a comment survey', () => ({ surveyId: comment, score: null, comment: '   ' }), 400, /comment is empty/],
        ['an unknown survey', () => ({ surveyId: '00000000-0000-4000-8000-000000000000' }), 404, /No such survey in this project/],
        ['a survey id that is not one', () => ({ surveyId: 'nps' }), 400, /surveyId must be the id of a survey/],
        ["another project's survey", () => ({ surveyId: foreignSurvey }), 404, /No such survey in this project/],
        ['a draft survey', () => ({ surveyId: draft }), 409, /draft/],
        ['a comment over 2,000 characters', () => ({ surveyId: nps, comment: 'x'.repeat(2001) }), 400, /comment must be at most 2000 characters/],
        ['a time a month away', () => ({ surveyId: nps, at: Date.now() - 30 * DAY }), 400, /30 days away from the server's clock/],
        ['an unknown field', () => ({ surveyId: nps, admin: true }), 400, /unknown field/],
        ['a malformed session id', () => ({ surveyId: nps, sessionId: 'a b' }), 400, /sessionId must be 8 to 64 letters/],
        ['too many variants', () => ({ surveyId: nps, variants: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`e${i}`, 'a'])) }), 400, /at most 20 experiments/],
      ];
      it.each(cases)('%s', async (_, make, status, message) => {
        const before = await count('feedback', owner.project.id);
        const sessionId = newId();
        const res = await answer(owner.project.publicKey, nps, { sessionId, ...make() });
        expect(res.status, JSON.stringify(res.body)).toBe(status);
        expect(res.body.message).toMatch(message);
        expect(await count('feedback', owner.project.id)).toBe(before);
        expect(await rows('SELECT 1 FROM session WHERE project_id = $1 AND id = $2', [owner.project.id, sessionId])).toEqual([]);
      });

      it.each([
        ['an unknown key', 'pk_nobodyHasThisKey123', 401, /Unknown project key/],
        ['no key', '', 401, /Unknown project key/],
      ])('refuses %s', async (_, key, status, message) => {
        const res = await request(api.http).post(`/v1/feedback?key=${key}`).send({ id: newId(), surveyId: nps, ...visit(), at: Date.now(), url: 'x', score: 1, comment: null, variants: {} });
        expect(res.status).toBe(status);
        expect(res.body.message).toMatch(message);
      });

      it('refuses malformed JSON, a body that is not an object, and an oversized body', async () => {
        const before = await count('feedback', owner.project.id);
        const post = (body: string, type = 'text/plain') => request(api.http).post(`/v1/feedback?key=${owner.project.publicKey}`).set('content-type', type).send(body);
        const broken = await post('{"id": ');
        expect(broken.status).toBe(400);
        expect(broken.body.message).toMatch(/not valid JSON/);
        expect((await post('[1,2]')).body.message).toMatch(/JSON object/);
        const proto = await post(JSON.stringify({ id: newId(), surveyId: nps }).replace('{', '{"__proto__":{"x":1},'));
        expect(proto.status).toBe(400);
        const huge = await post(JSON.stringify({ id: newId(), surveyId: nps, comment: 'x'.repeat(40_000) }));
        expect(huge.status).toBe(413);
        expect(await count('feedback', owner.project.id)).toBe(before);
      });

      it('refuses an origin the project does not allow', async () => {
        const strict = await seedAccount(api);
        await api.platform.dataSource.query(`UPDATE project SET settings = '{"recording":{"allowedOrigins":["https://shop.example.com"]}}' WHERE id = $1`, [strict.project.id]);
        const s = await createSurvey(strict.project.id, { name: 'S', kind: 'nps', status: 'running' }, await loginAs(strict));
        const res = await answer(strict.project.publicKey, s.id, { surveyId: s.id }).set('origin', 'https://evil.example.net');
        expect(res.status).toBe(403);
        expect(await count('feedback', strict.project.id)).toBe(0);
      });
    });
  });

  describe('the inbox and triage', () => {
    let project: SeededAccount;
    let c: string;
    let nps: string;
    let csat: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      project = await seedAccount(api);
      c = await loginAs(project);
      nps = (await createSurvey(project.project.id, { name: 'NPS', kind: 'nps', status: 'running' }, c)).id;
      csat = (await createSurvey(project.project.id, { name: 'CSAT', kind: 'csat', status: 'running' }, c)).id;
      const key = project.project.publicKey;
      const send = async (name: string, over: Record<string, unknown>, ua = DESKTOP_UA) => {
        expect((await answer(key, nps, over, ua)).status).toBe(202);
        ids[name] = (await rows('SELECT id FROM feedback WHERE project_id = $1 ORDER BY created_at DESC LIMIT 1', [project.project.id]))[0]!.id as string;
        await new Promise((r) => setTimeout(r, 5)); // distinct creation times, for the order
      };
      await send('detractor', { score: 2, comment: 'The <b>coupon</b> field <script>alert(1)</script> broke', url: 'https://shop.example.com/cart', variants: { checkout: 'a' } });
      await send('promoter', { score: 10, comment: 'Fast delivery', url: 'https://shop.example.com/thanks', variants: { checkout: 'b' } }, PHONE_UA);
      await send('passive', { score: 7, comment: null, url: 'https://shop.example.com/thanks', variants: { checkout: 'b', banner: 'red' } });
      await send('csat', { surveyId: csat, score: 4, comment: 'Ok', url: 'https://shop.example.com/help' });
    });

    const list = async (query: string) => {
      const res = await get(`/api/v1/feedback?project=${project.project.id}${query}`, c);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.feedback as Array<Record<string, unknown> & { id: string }>;
    };
    const names = (items: Array<{ id: string }>) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

    it('lists answers newest first, each with its survey, sentiment, page, device, variants and replay link', async () => {
      const items = await list('');
      expect(names(items)).toEqual(['csat', 'passive', 'promoter', 'detractor']);
      const detractor = items[3]!;
      expect(detractor).toMatchObject({
        survey: { id: nps, name: 'NPS' },
        kind: 'nps',
        score: 2,
        scale: { min: 0, max: 10 },
        sentiment: 'negative',
        comment: 'The <b>coupon</b> field <script>alert(1)</script> broke',
        commentQuestion: 'What disappointed you, or what was missing?',
        url: 'https://shop.example.com/cart',
        device: 'desktop',
        variants: { checkout: 'a' },
        status: 'open',
        assignee: null,
        tags: [],
        ttrMs: null,
      });
      expect(items[2]!.device).toBe('mobile');
      const replay = detractor.replay as { path: string; offsetMs: number };
      expect(replay.path).toMatch(new RegExp(`^/p/${project.project.id}/sessions/[A-Za-z0-9_-]+\\?t=\\d+$`));
      expect(replay.offsetMs).toBe(0);
    });

    it('places the replay link at the moment of the answer within the session', async () => {
      const v = visit();
      const start = Date.now() - 90_000;
      await api.platform.dataSource.query(
        `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), now())`,
        [project.project.id, v.sessionId, v.visitorId, start],
      );
      expect((await answer(project.project.publicKey, nps, { ...v, at: start + 42_000, score: 8 })).status).toBe(202);
      const [item] = await list(`&session=${v.sessionId}`);
      expect(item!.replay).toEqual({ path: `/p/${project.project.id}/sessions/${v.sessionId}?t=42000`, offsetMs: 42_000 });
      await api.platform.dataSource.query('DELETE FROM session WHERE project_id = $1 AND id = $2', [project.project.id, v.sessionId]);
    });

    it.each([
      ['survey', () => `&survey=${csat}`, ['csat']],
      ['kind', () => '&kind=nps', ['passive', 'promoter', 'detractor']],
      ['score range', () => '&minScore=7&maxScore=9', ['passive']],
      ['page', () => '&url=thanks', ['passive', 'promoter']],
      ['device', () => '&device=mobile', ['promoter']],
      ['experiment', () => '&experiment=checkout', ['passive', 'promoter', 'detractor']],
      ['experiment and variant', () => '&experiment=checkout&variant=b', ['passive', 'promoter']],
      ['text in comments, case-insensitive', () => '&q=COUPON', ['detractor']],
      ['text with LIKE wildcards taken literally', () => '&q=%25', []],
    ])('filters by %s', async (_, query, expected) => {
      expect(names(await list(query()))).toEqual(expected);
    });

    it('refuses a variant without its experiment, and a reversed score range', async () => {
      const v = await get(`/api/v1/feedback?project=${project.project.id}&variant=b`, c);
      expect(v.status).toBe(400);
      expect(v.body.message).toMatch(/variant needs experiment/);
      expect((await get(`/api/v1/feedback?project=${project.project.id}&minScore=9&maxScore=2`, c)).status).toBe(400);
    });

    it('pages with a cursor', async () => {
      const first = await get(`/api/v1/feedback?project=${project.project.id}&limit=3`, c);
      expect(first.body.feedback).toHaveLength(3);
      const second = await get(`/api/v1/feedback?project=${project.project.id}&limit=3&cursor=${first.body.nextCursor}`, c);
      expect(names(second.body.feedback)).toEqual(['detractor']);
      expect((await get(`/api/v1/feedback?project=${project.project.id}&cursor=nonsense`, c)).status).toBe(400);
    });

    it('triages: status, assignee, tags and notes; time to resolution from the answer to its resolution', async () => {
      const id = ids['detractor']!;
      const patch = (body: Record<string, unknown>, who = c) => request(api.http).patch(`/api/v1/feedback/${id}?project=${project.project.id}`).set('cookie', who).send(body);
      const assignees = await get(`/api/v1/feedback/assignees?project=${project.project.id}`, c);
      expect(assignees.body.assignees).toEqual([{ id: project.userId, name: 'Test user', email: project.email }]);

      const started = await patch({ status: 'in_progress', assigneeId: project.userId, tags: ['Coupon', 'checkout', 'coupon'] });
      expect(started.status).toBe(200);
      expect(started.body.feedback).toMatchObject({ status: 'in_progress', assignee: { id: project.userId, email: project.email }, tags: ['coupon', 'checkout'], resolvedAt: null });

      const note = await request(api.http).post(`/api/v1/feedback/${id}/notes?project=${project.project.id}`).set('cookie', c).send({ body: 'Reproduced: the coupon field rejects lower case.' });
      expect(note.status).toBe(201);
      expect(note.body.notes).toEqual([{ id: expect.any(String), body: 'Reproduced: the coupon field rejects lower case.', author: { id: project.userId, name: 'Test user' }, createdAt: expect.any(String) }]);
      expect(note.body.feedback.noteCount).toBe(1);

      // Answered two hours ago, resolved now.
      await api.platform.dataSource.query(`UPDATE feedback SET created_at = now() - interval '2 hours' WHERE id = $1`, [id]);
      const resolved = await patch({ status: 'resolved' });
      expect(resolved.body.feedback.status).toBe('resolved');
      expect(resolved.body.feedback.ttrMs).toBeGreaterThanOrEqual(2 * 3600_000);
      expect(resolved.body.feedback.ttrMs).toBeLessThan(2 * 3600_000 + 60_000);
      const resolvedAt = resolved.body.feedback.resolvedAt as string;
      // Resolving again keeps the first resolution; reopening clears it.
      expect((await patch({ status: 'resolved' })).body.feedback.resolvedAt).toBe(resolvedAt);
      expect(names(await list('&status=resolved'))).toEqual(['detractor']);
      expect(names(await list(`&assignee=${project.userId}`))).toEqual(['detractor']);
      expect(names(await list('&tag=coupon'))).toEqual(['detractor']);
      expect(names(await list('&assignee=none'))).toEqual(['csat', 'passive', 'promoter']);
      const reopened = await patch({ status: 'open' });
      expect(reopened.body.feedback).toMatchObject({ status: 'open', resolvedAt: null, ttrMs: null });
      await patch({ status: 'resolved' });

      const detail = await get(`/api/v1/feedback/${id}?project=${project.project.id}`, c);
      expect(detail.body.notes).toHaveLength(1);
    });

    it('refuses an assignee from outside the organization, viewers, and other organizations, changing nothing', async () => {
      const id = ids['promoter']!;
      const stranger = await seedAccount(api);
      const bad = await request(api.http).patch(`/api/v1/feedback/${id}?project=${project.project.id}`).set('cookie', c).send({ assigneeId: stranger.userId, status: 'resolved' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/not a member/);
      const notYours = await request(api.http).patch(`/api/v1/feedback/${id}?project=${project.project.id}`).set('cookie', await loginAs(stranger)).send({ status: 'resolved' });
      expect(notYours.status).toBe(404);
      await api.platform.dataSource.query(`INSERT INTO membership (organization_id, user_id, role) VALUES ($1, $2, 'viewer')`, [project.organizationId, stranger.userId]);
      const viewer = await request(api.http).patch(`/api/v1/feedback/${id}?project=${project.project.id}`).set('cookie', await loginAs(stranger)).send({ status: 'resolved' });
      expect(viewer.status).toBe(403);
      const unchanged = await get(`/api/v1/feedback/${id}?project=${project.project.id}`, c);
      expect(unchanged.body.feedback).toMatchObject({ status: 'open', assignee: null });
      const badStatus = await request(api.http).patch(`/api/v1/feedback/${id}?project=${project.project.id}`).set('cookie', c).send({ status: 'done' });
      expect(badStatus.status).toBe(400);
      expect((await get(`/api/v1/feedback/not-a-uuid?project=${project.project.id}`, c)).status).toBe(404);
    });
  });

  describe('the CX dashboard, with known truth', () => {
    let project: SeededAccount;
    let c: string;
    const from = new Date(Date.now() - 6 * DAY).toISOString();
    const to = new Date(Date.now() + DAY).toISOString();

    beforeAll(async () => {
      project = await seedAccount(api);
      c = await loginAs(project);
      const key = project.project.publicKey;
      const nps = (await createSurvey(project.project.id, { name: 'NPS', kind: 'nps', status: 'running' }, c)).id;
      const csat = (await createSurvey(project.project.id, { name: 'CSAT', kind: 'csat', status: 'running' }, c)).id;
      const ces = (await createSurvey(project.project.id, { name: 'CES', kind: 'ces', status: 'running' }, c)).id;
      // NPS: 3 promoters, 2 passives, 2 detractors. Variant a: 10, 9, 8, 3; variant b: 9, 7, 0.
      const npsScores: Array<[number, string]> = [[10, 'a'], [9, 'a'], [8, 'a'], [3, 'a'], [9, 'b'], [7, 'b'], [0, 'b']];
      for (const [score, variant] of npsScores) expect((await answer(key, nps, { score, variants: { checkout: variant } })).status).toBe(202);
      for (const score of [5, 4, 3]) expect((await answer(key, csat, { score, variants: { checkout: 'a' } })).status).toBe(202);
      for (const score of [7, 5, 2]) expect((await answer(key, ces, { score })).status).toBe(202);
      expect((await answer(key, (await createSurvey(project.project.id, { name: 'Words', kind: 'comment', status: 'running' }, c)).id, { score: null, comment: 'Nice' })).status).toBe(202);
      for (let i = 0; i < 28; i++) expect((await shown(key, i % 2 ? nps : csat)).status).toBe(202);
      // Two answers resolved, in 1 and 3 hours.
      const resolved = await rows(`SELECT id FROM feedback WHERE project_id = $1 AND kind = 'nps' ORDER BY score LIMIT 2`, [project.project.id]);
      await api.platform.dataSource.query(
        `UPDATE feedback SET status = 'resolved', resolved_at = now(), created_at = now() - (CASE WHEN id = $2 THEN interval '1 hour' ELSE interval '3 hours' END) WHERE id = ANY($1::uuid[])`,
        [resolved.map((r) => r.id), resolved[0]!.id],
      );
    });

    it('gives NPS, CSAT, CES, response rate and time to resolution as computed by hand', async () => {
      const res = await get(`/api/v1/cx?project=${project.project.id}&from=${from}&to=${to}&interval=day`, c);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const r = res.body;
      expect(r.nps).toMatchObject({ n: 7, promoters: 3, passives: 2, detractors: 2 });
      expect(r.nps.score).toBeCloseTo((100 * (3 - 2)) / 7, 6);
      expect(r.nps.interval.low).toBeLessThan(r.nps.score);
      expect(r.nps.interval.high).toBeGreaterThan(r.nps.score);
      expect(r.csat).toMatchObject({ n: 3, satisfied: 2, mean: 4, meanScale: '1-5' });
      expect(r.csat.percent).toBeCloseTo(200 / 3, 6);
      expect(r.ces).toMatchObject({ n: 3, easy: 2 });
      expect(r.ces.mean).toBeCloseTo(14 / 3, 6);
      expect(r.responses).toMatchObject({ answers: 14, shown: 28, rate: 50 });
      expect(r.ttr).toMatchObject({ resolved: 2, meanMs: 2 * 3600_000, medianMs: 2 * 3600_000 });
      expect(r.nps.trend).toHaveLength(8);
      expect(r.nps.trend.reduce((s: number, t: { n: number }) => s + t.n, 0)).toBe(7);
    });

    it('applies the filters, experiment and variant included', async () => {
      const a = (await get(`/api/v1/cx?project=${project.project.id}&from=${from}&to=${to}&experiment=checkout&variant=a`, c)).body;
      expect(a.nps).toMatchObject({ n: 4, promoters: 2, passives: 1, detractors: 1, score: 25 });
      expect(a.csat.n).toBe(3);
      expect(a.ces.n).toBe(0);
      const b = (await get(`/api/v1/cx?project=${project.project.id}&from=${from}&to=${to}&experiment=checkout&variant=b`, c)).body;
      expect(b.nps).toMatchObject({ n: 3, promoters: 1, passives: 1, detractors: 1, score: 0 });
      const high = (await get(`/api/v1/cx?project=${project.project.id}&from=${from}&to=${to}&kind=nps&minScore=9`, c)).body;
      expect(high.nps.n).toBe(3);
      expect(high.responses.shown).toBe(14);
    });

    it('gives per-variant sufficient statistics for an experiment, over HTTP and from the service', async () => {
      const res = await get(`/api/v1/cx/variants?project=${project.project.id}&experiment=checkout&kind=nps`, c);
      expect(res.status).toBe(200);
      const expected = [
        { variant: 'a', n: 4, sum: 30, sumSquares: 100 + 81 + 64 + 9, promoters: 2, passives: 1, detractors: 1 },
        { variant: 'b', n: 3, sum: 16, sumSquares: 81 + 49, promoters: 1, passives: 1, detractors: 1 },
      ];
      expect(res.body).toEqual({ experiment: 'checkout', kind: 'nps', variants: expected });
      expect(await api.app.get(CxService).variantStatistics(project.project.id, 'checkout', { kind: 'nps' })).toEqual(expected);
      const csat = await api.app.get(CxService).variantStatistics(project.project.id, 'checkout', { kind: 'csat' });
      expect(csat).toEqual([{ variant: 'a', n: 3, sum: 12, sumSquares: 50, promoters: 0, passives: 0, detractors: 0 }]);
    });

    it('gives retention cohorts, churn and lifetime value from the sessions and revenue events', async () => {
      const p = await seedAccount(api);
      const pc = await loginAs(p);
      const monday = Date.UTC(2026, 9, 5); // Monday 5 October 2026
      const at = (week: number, day = 0) => new Date(monday + week * 7 * DAY + day * DAY + 3600_000).toISOString();
      let n = 0;
      const session = async (visitor: string, when: string, user: string | null = null, device = 'desktop') => {
        const id = `s${++n}${newId()}`;
        await api.platform.dataSource.query(
          `INSERT INTO session (project_id, id, visitor_id, user_id, started_at, last_event_at, device) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
          [p.project.id, id, visitor, user, when, device],
        );
        return id;
      };
      const event = (sessionId: string, when: string, kind: string, name: string, props: Record<string, unknown>, seq = 0) =>
        api.platform.dataSource.query(
          `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, name, props, session_day)
           VALUES ($1, $2, 'main', $3, 0, $4, $5, $6, $7::jsonb, (SELECT created_on FROM session WHERE project_id = $1 AND id = $2))`,
          [p.project.id, sessionId, seq, when, kind, name, JSON.stringify(props)],
        );
      // Week 0 cohort: v1 (back in weeks 1 and 2), v2 (back in week 2), v3 (never back). Week 1 cohort: v4 (back in week 2).
      await session('v1', at(0), 'ann');
      await session('v1', at(1), 'ann');
      await session('v1', at(2), 'ann');
      await session('v2', at(0, 1), 'bob');
      await session('v2', at(2, 2), 'bob');
      await session('v3', at(0, 2), 'cat');
      await session('v4', at(1, 1), null, 'mobile');
      await session('v4', at(2, 3), null, 'mobile');
      // Revenue: ann 30 + 20, bob 50; v4 is anonymous but identified as dan in a later session; cat pays in a string (ignored).
      const annSession = await session('v1', at(2, 1), 'ann');
      await event(annSession, at(2, 1), 'custom', 'purchase', { value: 30 });
      await event(annSession, at(2, 1), 'custom', 'purchase', { value: 20 }, 1);
      await event(await session('v2', at(1, 2), 'bob'), at(1, 2), 'custom', 'purchase', { value: 50 });
      const anon = await session('v5', at(1, 4));
      await event(anon, at(1, 4), 'custom', 'purchase', { value: 40 });
      await session('v5', at(2, 4), 'dan');
      await event(await session('v6', at(1, 5), 'eve'), at(1, 5), 'custom', 'purchase', { value: '999' });
      await event(annSession, at(2, 1), 'custom', 'signup', { value: 1000 }, 2);

      const q = `project=${p.project.id}&from=${at(0, 0).slice(0, 10)}T00:00:00Z&to=${new Date(monday + 21 * DAY).toISOString()}&interval=week`;
      const res = await get(`/api/v1/cx?${q}&revenueEvent=purchase&churnDays=7`, pc);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const r = res.body;
      const week = (k: number) => new Date(monday + k * 7 * DAY).toISOString();
      expect(r.retention.cohorts).toEqual([
        { week: week(0), visitors: 3, returned: [3, 2, 2], percent: [100, (2 / 3) * 100, (2 / 3) * 100] },
        { week: week(1), visitors: 3, returned: [3, 2], percent: [100, (2 / 3) * 100] },
      ]);
      // Churn at the end of week 2 over 7 days: active in week 1 = ann, bob, eve (identified); not seen in week 2 = eve.
      expect(r.churn).toMatchObject({ periodDays: 7, active: 3, churned: 1 });
      expect(r.churn.rate).toBeCloseTo(100 / 3, 6);
      // Lifetime value: ann 50, bob 50, dan 40.
      expect(r.ltv).toMatchObject({ event: 'purchase', property: 'value', customers: 3, total: 140, median: 50 });
      expect(r.ltv.mean).toBeCloseTo(140 / 3, 6);
      expect(r.ltv.trend.map((t: { revenue: number; customers: number }) => [t.revenue, t.customers])).toEqual([
        [0, 0],
        [90, 2],
        [50, 3],
      ]);

      const mobile = (await get(`/api/v1/cx?${q}&device=mobile`, pc)).body;
      expect(mobile.retention.cohorts).toEqual([{ week: week(1), visitors: 1, returned: [1, 1], percent: [100, 100] }]);
      expect(mobile.ltv).toMatchObject({ event: null, customers: 0 });

      // The project's settings give the defaults.
      const settings = await request(api.http).patch(`/api/v1/projects/${p.project.id}/settings`).set('cookie', pc).send({ cx: { revenueEvent: 'purchase', churnDays: 7 } });
      expect(settings.status).toBe(200);
      expect((await get(`/api/v1/cx?${q}`, pc)).body.ltv.total).toBe(140);
    });

    it('refuses a missing range and a range the wrong way round', async () => {
      const missing = await get(`/api/v1/cx?project=${project.project.id}`, c);
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/from is required; to is required/);
      const reversed = await get(`/api/v1/cx?project=${project.project.id}&from=${to}&to=${from}`, c);
      expect(reversed.status).toBe(400);
      expect(reversed.body.message).toMatch(/from must be before to/);
    });
  });

  describe('forwarding answers to a webhook', () => {
    let project: SeededAccount;
    let c: string;
    let nps: string;

    beforeAll(async () => {
      project = await seedAccount(api);
      c = await loginAs(project);
      nps = (await createSurvey(project.project.id, { name: 'Checkout NPS', kind: 'nps', status: 'running' }, c)).id;
    });

    const settings = (integrations: Record<string, unknown>) => request(api.http).patch(`/api/v1/projects/${project.project.id}/settings`).set('cookie', c).send({ integrations });
    const waitFor = async <T>(what: string, check: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('refuses a webhook URL that is not http(s)', async () => {
      for (const url of ['ftp://files.example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
        const res = await settings({ webhookUrl: url, forwardFeedback: 'all' });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/http:\/\/ or https:\/\//);
      }
      const stored = await request(api.http).get(`/api/v1/projects/${project.project.id}/settings`).set('cookie', c);
      expect(stored.body.settings.integrations).toEqual({ webhookUrl: null, forwardFeedback: 'off' });
    });

    it('posts each new answer as Slack-compatible JSON, retrying a failed delivery', async () => {
      expect((await settings({ webhookUrl: receiver.url, forwardFeedback: 'all' })).status).toBe(200);
      receiver.plan.push(500);
      const before = receiver.received.length;
      const v = visit();
      expect((await answer(project.project.publicKey, nps, { ...v, score: 9, comment: 'Great <tools> & fast' })).status).toBe(202);
      const got = await waitFor('the webhook', () => receiver.received[before]);
      expect(got.contentType).toMatch(/application\/json/);
      expect(got.body.text).toBe('New NPS answer 9 of 0–10 (promoter) on https://shop.example.com/checkout: “Great &lt;tools&gt; &amp; fast”');
      expect(got.body.blocks[0]!.text!.text).toContain('>Great &lt;tools&gt; &amp; fast');
      expect(JSON.stringify(got.body.blocks)).toContain(`https://loupe.example.com/p/${project.project.id}/sessions/${v.sessionId}`);
      expect(receiver.plan).toEqual([]);
    });

    it("keeps an answer's message when the queue cannot take it, and sends it once the queue answers again", async () => {
      expect((await settings({ webhookUrl: receiver.url, forwardFeedback: 'all' })).status).toBe(200);
      const queue = api.app.get(QueueService);
      const down = vi.spyOn(queue, 'add').mockRejectedValueOnce(new Error('connection refused'));
      const before = receiver.received.length;
      const res = await answer(project.project.publicKey, nps, { score: 4, comment: 'stored while the queue was down' });
      expect(res.status).toBe(202);
      expect(down).toHaveBeenCalledTimes(1);
      down.mockRestore();
      const [pending]: Array<{ forward_pending: boolean }> = await api.platform.dataSource.query(
        `SELECT forward_pending FROM feedback WHERE project_id = $1 AND comment = 'stored while the queue was down'`,
        [project.project.id],
      );
      expect(pending!.forward_pending).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.received.length).toBe(before);

      // What the recurring job does: the answer's message is queued and sent, once.
      expect(await api.app.get(AnswerForwarding).queueMissed(0)).toBe(1);
      const got = await waitFor('the late message', () => receiver.received.slice(before).find((r) => String(r.body.text).includes('stored while the queue was down')));
      expect(got.body.text).toBe('New NPS answer 4 of 0–10 (detractor) on https://shop.example.com/checkout: “stored while the queue was down”');
      expect(await api.app.get(AnswerForwarding).queueMissed(0)).toBe(0);
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.received.slice(before).filter((r) => String(r.body.text).includes('stored while the queue was down'))).toHaveLength(1);
    });

    it('posts only detractors when so configured', async () => {
      expect((await settings({ forwardFeedback: 'detractors' })).status).toBe(200);
      const before = receiver.received.length;
      expect((await answer(project.project.publicKey, nps, { score: 10, comment: 'promoter, not forwarded' })).status).toBe(202);
      expect((await answer(project.project.publicKey, nps, { score: 2, comment: 'detractor, forwarded' })).status).toBe(202);
      await waitFor('the detractor', () => receiver.received.length > before);
      await new Promise((r) => setTimeout(r, 1500));
      const texts = receiver.received.slice(before).map((r) => r.body.text);
      expect(texts).toEqual(['New NPS answer 2 of 0–10 (detractor) on https://shop.example.com/checkout: “detractor, forwarded”']);
    });
  });
});
