import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LongestRetention, RetentionJob } from '@loupe/server';
import { gunzipSync } from 'node:zlib';
import type { RecordedEvent } from '@loupe/contracts/recording';
import { loginCookie, postBatch } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { batch, newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const DAY = 24 * 3600_000;

/** One visit with a row in every table a visit fills, written as ingest and analysis write them. */
async function seedVisit(api: TestApi, projectId: string, at: Date, who: { visitorId?: string; userId?: string | null } = {}) {
  return api.platform.dataSource.transaction(async (db) => {
    const sessionId = newId();
    const visitorId = who.visitorId ?? newId();
    await db.query(`INSERT INTO session (project_id, id, visitor_id, user_id, started_at, last_event_at) VALUES ($1, $2, $3, $4, $5, $5)`, [projectId, sessionId, visitorId, who.userId ?? null, at]);
    await db.query(
      `INSERT INTO recording_chunk (project_id, session_id, window_id, seq, batch_id, first_ts, last_ts, event_count, raw_bytes, stored_bytes, encoding, body, session_day)
       VALUES ($1, $2, 'w', 0, $3, $4, $4, 1, 2, 2, 'gzip', '\\x00'::bytea, (SELECT created_on FROM session WHERE project_id = $1 AND id = $2))`,
      [projectId, sessionId, newId(), at],
    );
    await db.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, url, name, props, session_day) VALUES
         ($1, $2, 'w', 0, 0, $3, 'pageview', 'https://shop.example.com/', NULL, NULL, (SELECT created_on FROM session WHERE project_id = $1 AND id = $2)),
         ($1, $2, 'w', 0, 1, $3, 'exposure', 'https://shop.example.com/', 'checkout-button', '{"variant":"green"}', (SELECT created_on FROM session WHERE project_id = $1 AND id = $2))`,
      [projectId, sessionId, at],
    );
    await db.query(`INSERT INTO session_signal (project_id, session_id, idx, ts, kind, url, page_key) VALUES ($1, $2, 0, $3, 'rage_click', 'https://shop.example.com/', '/')`, [projectId, sessionId, at]);
    await db.query(
      `INSERT INTO page_view (project_id, session_id, idx, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, error_count)
       VALUES ($1, $2, 0, $3, $4, 'https://shop.example.com/', '/', 1000, true, true, true, 1, 0)`,
      [projectId, sessionId, visitorId, at],
    );
    let [survey]: Array<{ id: string }> = await db.query(`SELECT id FROM survey WHERE project_id = $1 LIMIT 1`, [projectId]);
    if (!survey) [survey] = await db.query(`INSERT INTO survey (project_id, name, kind, status, definition) VALUES ($1, 'NPS', 'nps', 'running', '{}') RETURNING id`, [projectId]);
    await db.query(
      `INSERT INTO feedback (project_id, submission_id, survey_id, session_id, visitor_id, kind, scale_min, scale_max, score, comment, url, answered_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'nps', 0, 10, 3, 'Checkout is slow', 'https://shop.example.com/', $6, $6)`,
      [projectId, newId(), survey!.id, sessionId, visitorId, at],
    );
    await db.query(
      `INSERT INTO survey_impression (project_id, impression_id, kind, survey_id, survey_kind, session_id, visitor_id, url, created_at)
       VALUES ($1, $2, 'shown', $3, 'nps', $4, $5, 'https://shop.example.com/', $6)`,
      [projectId, newId(), survey!.id, sessionId, visitorId, at],
    );
    // Its share of the heatmaps: one click on the buy button, kept apart and added to the page's rollups.
    const day = at.toISOString().slice(0, 10);
    await db.query(
      `INSERT INTO heatmap_session_cell (project_id, session_id, page_key, device, day, layer, gx, gy, count) VALUES ($1, $2, '/', 'desktop', $3, 'click', 50, 10, 1)`,
      [projectId, sessionId, day],
    );
    await db.query(
      `INSERT INTO heatmap_cell (project_id, page_key, device, day, layer, gx, gy, count) VALUES ($1, '/', 'desktop', $2, 'click', 50, 10, 1)
       ON CONFLICT (project_id, page_key, device, layer, variant, day, selector, gx, gy) DO UPDATE SET count = heatmap_cell.count + 1`,
      [projectId, day],
    );
    await db.query(
      `INSERT INTO heatmap_session_zone (project_id, session_id, page_key, device, day, selector, clicks, visitors, rage, dead, hover_ms) VALUES ($1, $2, '/', 'desktop', $3, '#buy', 1, 1, 0, 0, 400)`,
      [projectId, sessionId, day],
    );
    await db.query(
      `INSERT INTO heatmap_zone (project_id, page_key, device, day, selector, clicks, visitors, rage, dead, hover_ms) VALUES ($1, '/', 'desktop', $2, '#buy', 1, 1, 0, 0, 400)
       ON CONFLICT (project_id, page_key, device, variant, day, selector) DO UPDATE SET clicks = heatmap_zone.clicks + 1, visitors = heatmap_zone.visitors + 1, hover_ms = heatmap_zone.hover_ms + 400`,
      [projectId, day],
    );
    return { sessionId, visitorId };
  });
}

/** What the project's heatmaps add up to: clicks in the click layer and on zones, and the rollup rows holding them. */
async function heatOf(api: TestApi, projectId: string) {
  const [r]: Array<{ clicks: string; zone_clicks: string; rows: string }> = await api.platform.dataSource.query(
    `SELECT (SELECT coalesce(sum(count), 0) FROM heatmap_cell WHERE project_id = $1) AS clicks,
            (SELECT coalesce(sum(clicks), 0) FROM heatmap_zone WHERE project_id = $1) AS zone_clicks,
            (SELECT count(*) FROM heatmap_cell WHERE project_id = $1) + (SELECT count(*) FROM heatmap_zone WHERE project_id = $1) AS rows`,
    [projectId],
  );
  return { clicks: Number(r!.clicks), zoneClicks: Number(r!.zone_clicks), rows: Number(r!.rows) };
}

const TABLES = ['session', 'recording_chunk', 'session_event', 'session_signal', 'page_view', 'feedback', 'survey_impression', 'heatmap_session_cell', 'heatmap_session_zone'] as const;

/** How many rows each table holds for these sessions of the project. */
async function rowsOf(api: TestApi, projectId: string, sessionIds: string[]) {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [r]: Array<{ n: string }> = await api.platform.dataSource.query(
      `SELECT count(*) AS n FROM ${t} WHERE project_id = $1 AND ${t === 'session' ? 'id' : 'session_id'} = ANY($2)`,
      [projectId, sessionIds],
    );
    out[t] = Number(r!.n);
  }
  return out;
}
const none = Object.fromEntries(TABLES.map((t) => [t, 0]));
const oneVisit = { session: 1, recording_chunk: 1, session_event: 2, session_signal: 1, page_view: 1, feedback: 1, survey_impression: 1, heatmap_session_cell: 1, heatmap_session_zone: 1 };

describe.each(databaseShapes())('privacy controls on the $name database', (shape) => {
  let api: TestApi;
  let a: SeededAccount;
  let b: SeededAccount;
  let cookieA: string;
  const now = new Date();

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    a = await seedAccount(api);
    b = await seedAccount(api);
    cookieA = await loginCookie(api, a);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('retention', () => {
    it('refuses a retention that is not a whole number of days between 1 and 3650', async () => {
      const res = await request(api.http).patch(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA).send({ retention: { days: 0 } });
      expect(res.status).toBe(400);
      expect(res.body.issues[0].path).toBe('retention.days');
      const settings = await request(api.http).get(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA);
      expect(settings.body.settings.retention).toEqual({ days: 90 });
    });

    it("deletes every row older than the project's retention, keeps newer rows and other projects' rows, and says what it deleted", async () => {
      const patch = await request(api.http).patch(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA).send({ retention: { days: 30 } });
      expect(patch.status).toBe(200);
      const oldA = await seedVisit(api, a.project.id, new Date(now.getTime() - 31 * DAY));
      const newA = await seedVisit(api, a.project.id, new Date(now.getTime() - 29 * DAY));
      // Project B keeps the default 90 days: its 31-day-old visit stays, its 91-day-old one goes.
      const keptB = await seedVisit(api, b.project.id, new Date(now.getTime() - 31 * DAY));
      const oldB = await seedVisit(api, b.project.id, new Date(now.getTime() - 91 * DAY));

      const result = await api.app.get(RetentionJob).apply(now);

      const deletedPerProject = { sessions: 1, chunks: 1, events: 2, signals: 1, pageViews: 1, feedback: 1, surveyImpressions: 1, heatmapContributions: 2 };
      expect(result.perProject[a.project.id]).toEqual(deletedPerProject);
      expect(result.perProject[b.project.id]).toEqual(deletedPerProject);
      // The heatmaps lose the deleted visits' clicks, and the day that held only those is gone.
      expect(await heatOf(api, a.project.id)).toEqual({ clicks: 1, zoneClicks: 1, rows: 2 });
      expect(await heatOf(api, b.project.id)).toEqual({ clicks: 1, zoneClicks: 1, rows: 2 });
      expect(await rowsOf(api, a.project.id, [oldA.sessionId])).toEqual(none);
      expect(await rowsOf(api, a.project.id, [newA.sessionId])).toEqual(oneVisit);
      expect(await rowsOf(api, b.project.id, [oldB.sessionId])).toEqual(none);
      expect(await rowsOf(api, b.project.id, [keptB.sessionId])).toEqual(oneVisit);

      // A visit that began before the cut and ended after it is kept whole.
      const spanning = await seedVisit(api, a.project.id, new Date(now.getTime() - 29 * DAY));
      await api.platform.dataSource.query(`UPDATE session_event SET ts = $3 WHERE project_id = $1 AND session_id = $2 AND idx = 0`, [a.project.id, spanning.sessionId, new Date(now.getTime() - 31 * DAY)]);
      await api.app.get(RetentionJob).apply(now);
      expect(await rowsOf(api, a.project.id, [spanning.sessionId])).toEqual(oneVisit);

      // A second run the same day has nothing left to delete.
      const again = await api.app.get(RetentionJob).apply(now);
      expect(again.perProject[a.project.id]).toBeUndefined();
      expect(again.perProject[b.project.id]).toBeUndefined();
    });
  });

  it('gives shared storage the longest retention among projects, never less than the floor', async () => {
    const longest = api.app.get(LongestRetention);
    const before = await longest.days(1);
    expect(before).toBeGreaterThanOrEqual(90);
    const patch = await request(api.http).patch(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA).send({ retention: { days: 3000 } });
    expect(patch.status).toBe(200);
    expect(await longest.days(1)).toBe(Math.max(before, 3000));
    expect(await longest.days(3650)).toBe(3650);
    await request(api.http).patch(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA).send({ retention: { days: 30 } });
  });

  describe('data subject requests', () => {
    it('finds and exports everything about an identified user across their visits, and nothing of anyone else', async () => {
      const recent = new Date(now.getTime() - DAY);
      const first = await seedVisit(api, a.project.id, recent, { userId: 'customer-42' });
      const second = await seedVisit(api, a.project.id, recent, { userId: 'customer-42' });
      await seedVisit(api, a.project.id, recent, { userId: 'customer-43' });
      const res = await request(api.http).get(`/api/v1/people/customer-42?project=${a.project.id}`).set('cookie', cookieA);
      expect(res.status).toBe(200);
      expect(res.body.person).toBe('customer-42');
      expect(res.body.sessions.map((x: { id: string }) => x.id).sort()).toEqual([first.sessionId, second.sessionId].sort());
      expect(res.body.events).toHaveLength(4);
      expect(res.body.signals).toHaveLength(2);
      expect(res.body.pageViews).toHaveLength(2);
      expect(res.body.feedback.map((f: { comment: string }) => f.comment)).toEqual(['Checkout is slow', 'Checkout is slow']);
      expect(res.body.surveyImpressions).toHaveLength(2);
      expect(res.body.exposures).toHaveLength(2);
      expect(res.body.exposures[0]).toMatchObject({ experiment: 'checkout-button', variant: 'green' });
      expect(res.body.recordings[0].download).toMatch(new RegExp(`^/api/v1/sessions/.+/export\\?project=${a.project.id}$`));
    });

    it('finds a visitor by visitor id, and answers empty lists for someone of whom nothing is held', async () => {
      const v = await seedVisit(api, a.project.id, new Date(now.getTime() - DAY));
      const res = await request(api.http).get(`/api/v1/people/${v.visitorId}?project=${a.project.id}`).set('cookie', cookieA);
      expect(res.body.sessions.map((x: { id: string }) => x.id)).toEqual([v.sessionId]);
      const nobody = await request(api.http).get(`/api/v1/people/nobody-at-all?project=${a.project.id}`).set('cookie', cookieA);
      expect(nobody.status).toBe(200);
      expect(nobody.body.sessions).toEqual([]);
      expect(nobody.body.feedback).toEqual([]);
    });

    it("deletes everything about one person, leaves other people and other projects intact, and records it in the audit log", async () => {
      const recent = new Date(now.getTime() - DAY);
      const gone = [await seedVisit(api, a.project.id, recent, { userId: 'erase-me' }), await seedVisit(api, a.project.id, recent, { userId: 'erase-me' })];
      const other = await seedVisit(api, a.project.id, recent, { userId: 'keep-me' });
      // The same user id in another project is another person's data there.
      const elsewhere = await seedVisit(api, b.project.id, recent, { userId: 'erase-me' });
      const heatA = await heatOf(api, a.project.id);
      const heatB = await heatOf(api, b.project.id);

      const res = await request(api.http).delete(`/api/v1/people/erase-me?project=${a.project.id}`).set('cookie', cookieA);
      expect(res.status).toBe(200);
      expect(res.body.deleted).toEqual({ sessions: 2, chunks: 2, events: 4, signals: 2, pageViews: 2, feedback: 2, feedbackNotes: 0, surveyImpressions: 2, heatmapContributions: 4 });
      // Their clicks leave the heatmap; everyone else's stay, here and in the other project.
      expect(await heatOf(api, a.project.id)).toEqual({ clicks: heatA.clicks - 2, zoneClicks: heatA.zoneClicks - 2, rows: heatA.rows });
      expect(await heatOf(api, b.project.id)).toEqual(heatB);
      expect(await rowsOf(api, a.project.id, gone.map((g) => g.sessionId))).toEqual(none);
      expect(await rowsOf(api, a.project.id, [other.sessionId])).toEqual(oneVisit);
      expect(await rowsOf(api, b.project.id, [elsewhere.sessionId])).toEqual(oneVisit);

      const after = await request(api.http).get(`/api/v1/people/erase-me?project=${a.project.id}`).set('cookie', cookieA);
      expect(after.body.sessions).toEqual([]);
      const audit = await request(api.http).get(`/api/v1/organizations/${a.organizationId}/audit-log`).set('cookie', cookieA);
      expect(audit.status).toBe(200);
      const entry = audit.body.entries.find((e: { action: string }) => e.action === 'person.deleted');
      expect(entry).toMatchObject({ target: 'erase-me', details: { sessions: 2, feedback: 2 } });
    });

    it('answers 404 to a caller of another project, and changes nothing', async () => {
      const v = await seedVisit(api, b.project.id, new Date(now.getTime() - DAY), { userId: 'b-customer' });
      const read = await request(api.http).get(`/api/v1/people/b-customer?project=${b.project.id}`).set('cookie', cookieA);
      expect(read.status).toBe(404);
      const del = await request(api.http).delete(`/api/v1/people/b-customer?project=${b.project.id}`).set('cookie', cookieA);
      expect(del.status).toBe(404);
      expect(await rowsOf(api, b.project.id, [v.sessionId])).toEqual(oneVisit);
    });

    it('refuses a blank person id with a message, and deletes nothing', async () => {
      const res = await request(api.http).delete(`/api/v1/people/%20%20?project=${a.project.id}`).set('cookie', cookieA);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('must be a user id or a visitor id');
    });
  });

  describe('privacy settings for the SDK', () => {
    it("sends the project's masking and Do Not Track choice to the SDK, and refuses a setting it cannot apply", async () => {
      const patch = await request(api.http)
        .patch(`/api/v1/projects/${a.project.id}/settings`)
        .set('cookie', cookieA)
        .send({ privacy: { maskAllText: true, maskSelectors: ['.customer-name'], blockSelectors: ['#chat'], honorDoNotTrack: true } });
      expect(patch.status).toBe(200);
      const config = await request(api.http).get(`/v1/config?key=${a.project.publicKey}`);
      expect(config.status).toBe(200);
      expect(config.body.privacy).toEqual({ maskAllText: true, maskSelectors: ['.customer-name'], blockSelectors: ['#chat'], honorDoNotTrack: true });
      const other = await request(api.http).get(`/v1/config?key=${b.project.publicKey}`);
      expect(other.body.privacy).toEqual({ maskAllText: false, maskSelectors: [], blockSelectors: [], honorDoNotTrack: false });

      const bad = await request(api.http).patch(`/api/v1/projects/${a.project.id}/settings`).set('cookie', cookieA).send({ privacy: { maskSelectors: [''] } });
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe('privacy.maskSelectors.0');
    });
  });

  describe('coarse location', () => {
    it("keeps a visit's country from the proxy's header only for projects that ask, and never anything finer", async () => {
      const located = await startTestApi(shape.url, { LOUPE_COUNTRY_HEADER: 'CF-IPCountry' });
      try {
        const off = await seedAccount(located);
        const on = await seedAccount(located);
        await located.platform.dataSource.query(`UPDATE project SET settings = jsonb_set(settings, '{privacy}', '{"coarseLocation": true}') WHERE id = $1`, [on.project.id]);
        const visit = async (key: string, country?: string) => {
          const b = batch([{ type: 4, timestamp: Date.now() - 1000, data: { href: 'https://shop.example.com/', width: 1280, height: 800 } }] as RecordedEvent[]);
          const req = postBatch(located, key, b).set('x-forwarded-for', '203.0.113.9');
          expect((await (country === undefined ? req : req.set('cf-ipcountry', country))).status).toBe(202);
          const [row]: Array<{ country: string | null }> = await located.platform.dataSource.query('SELECT country FROM session WHERE id = $1', [b.sessionId]);
          return { sessionId: b.sessionId, country: row!.country };
        };
        expect((await visit(off.project.publicKey, 'DE')).country).toBeNull();
        const german = await visit(on.project.publicKey, 'de');
        expect(german.country).toBe('DE');
        expect((await visit(on.project.publicKey, 'XX')).country).toBeNull();
        expect((await visit(on.project.publicKey, 'Germany')).country).toBeNull();
        expect((await visit(on.project.publicKey)).country).toBeNull();
        // Nothing else about where the visitor was is kept.
        const [stored]: Array<Record<string, unknown>> = await located.platform.dataSource.query('SELECT * FROM session WHERE id = $1', [german.sessionId]);
        expect(JSON.stringify(stored)).not.toContain('203.0.113.9');

        const cookie = await loginCookie(located, on);
        const listed = await request(located.http).get(`/api/v1/sessions?project=${on.project.id}&country=de`).set('cookie', cookie);
        expect(listed.status).toBe(200);
        expect(listed.body.sessions.map((x: { id: string; country: string }) => [x.id, x.country])).toEqual([[german.sessionId, 'DE']]);
        const bad = await request(located.http).get(`/api/v1/sessions?project=${on.project.id}&country=Germany`).set('cookie', cookie);
        expect(bad.status).toBe(400);
        expect(bad.body.issues[0]).toMatchObject({ path: 'country', message: expect.stringContaining('two-letter country code') });
      } finally {
        await located.close();
      }
    });
  });

  describe('password values at ingest', () => {
    /** What the server stored for the session, decompressed, every chunk. */
    async function storedJson(projectId: string, sessionId: string): Promise<string> {
      const rows: Array<{ body: Buffer }> = await api.platform.dataSource.query(`SELECT body FROM recording_chunk WHERE project_id = $1 AND session_id = $2 ORDER BY seq`, [projectId, sessionId]);
      return rows.map((r) => gunzipSync(r.body).toString('utf8')).join('\n');
    }

    it('masks a password sent unmasked, in the snapshot and in typing batches later, and keeps the rest of the recording as sent', async () => {
      const t = Date.now() - 10_000;
      const input = (id: number, type: string, value: string) => ({ type: 2, id, tagName: 'input', attributes: { type, value }, childNodes: [] });
      const snapshot: RecordedEvent[] = [
        { type: 4, timestamp: t, data: { href: 'https://shop.example.com/login', width: 1280, height: 800 } },
        {
          type: 2,
          timestamp: t + 1,
          data: {
            node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: [input(10, 'password', 'hunter2-in-snapshot'), input(11, 'text', 'alice@example.com'), input(12, 'PASSWORD', '*******')] }] },
            initialOffset: { top: 0, left: 0 },
          },
        },
      ] as RecordedEvent[];
      const session = { sessionId: newId(), visitorId: newId() };
      expect((await postBatch(api, a.project.publicKey, batch(snapshot, { ...session, seq: 0 }))).status).toBe(202);
      // Typing comes in a later batch, which names the field only by its node id.
      const typing = [
        { type: 3, timestamp: t + 2000, data: { source: 5, id: 10, text: 'hunter2-typed', isChecked: false } },
        { type: 3, timestamp: t + 2001, data: { source: 5, id: 11, text: 'alice@example.org', isChecked: false } },
        { type: 3, timestamp: t + 2002, data: { source: 0, texts: [], removes: [], adds: [], attributes: [{ id: 10, attributes: { value: 'hunter2-attribute' } }] } },
      ] as RecordedEvent[];
      expect((await postBatch(api, a.project.publicKey, batch(typing, { ...session, seq: 1 }))).status).toBe(202);

      const stored = await storedJson(a.project.id, session.sessionId);
      expect(stored).not.toContain('hunter2');
      expect(stored).toContain('"value":"' + '*'.repeat('hunter2-in-snapshot'.length) + '"');
      expect(stored).toContain('"text":"' + '*'.repeat('hunter2-typed'.length) + '"');
      // What is not a password is kept as the page's recorder sent it.
      expect(stored).toContain('alice@example.com');
      expect(stored).toContain('alice@example.org');

      // The session export (what a replay or a download reads) holds no password either.
      const exported = await request(api.http).get(`/api/v1/sessions/${session.sessionId}/export?project=${a.project.id}`).set('cookie', cookieA);
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).not.toContain('hunter2');
      expect(exported.body).toHaveLength(5);
    });
  });
});
