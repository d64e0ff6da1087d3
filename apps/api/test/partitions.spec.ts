import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintainPartitionsJob, MIGRATIONS, startEmbeddedPostgres } from '@loupe/server';
import { serverDatabaseUrl } from '../../../tools/testing/databases';
import { loginCookie, waitProcessed } from '../../../tools/testing/api-client';
import { batch, fixture, gz, rebase } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

/**
 * Each run gets a database of its own: these tests create and drop partitions, which on the shared
 * databases would meet other files' rows and their own partition upkeep.
 */
interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

async function freshServerDatabase(): Promise<FreshDatabase> {
  const base = serverDatabaseUrl();
  if (!base) throw new Error('LOUPE_TEST_DATABASE_URL is needed for the PostgreSQL server run');
  const name = `${new URL(base).pathname.slice(1)}_p${randomUUID().slice(0, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function freshEmbeddedDatabase(): Promise<FreshDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-partitions-'));
  const embedded = await startEmbeddedPostgres(dir);
  return {
    url: embedded.url,
    async drop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const DAY = 86_400_000;
const partitionOf = (table: string, t: number) => `${table}_p${new Date(t).toISOString().slice(0, 7).replace('-', '_')}`;

async function migrate(url: string, migrations: typeof MIGRATIONS) {
  const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'loupe_migrations', logging: ['error'] });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

describe.each([
  { name: 'PostgreSQL server', open: freshServerDatabase },
  { name: 'embedded PGlite', open: freshEmbeddedDatabase },
])('time partitions on the $name', ({ open }) => {
  let db: FreshDatabase;
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  const now = Date.now();
  // Stored before the partitions existed: two months of the past, in two projects.
  const before = { projectA: randomUUID(), projectB: randomUUID(), old: now - 40 * DAY, recent: now - 2 * DAY };
  let rowsBefore: { chunks: string; events: string };

  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await api.platform.dataSource.query(sql, params)) as T[];
  const fingerprint = async (q: (sql: string) => Promise<Array<{ f: string }>>) => ({
    chunks: (
      await q(`SELECT md5(string_agg(concat_ws('|', project_id, session_id, window_id, seq, batch_id, first_ts, last_ts, event_count, raw_bytes,
                                               stored_bytes, encoding, md5(body), received_at, processed_at, facts), ',' ORDER BY project_id, session_id, window_id, seq)) || count(*) AS f
                 FROM recording_chunk`)
    )[0]!.f,
    events: (
      await q(`SELECT md5(string_agg(concat_ws('|', project_id, session_id, window_id, seq, idx, ts, kind, url, name, selector, text, x, y, props), ','
                                     ORDER BY project_id, session_id, window_id, seq, idx)) || count(*) AS f FROM session_event`)
    )[0]!.f,
  });

  beforeAll(async () => {
    db = await open();
    // Every migration before the partitions, then rows as an existing install has them.
    await migrate(db.url, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => new m().name === 'TimePartitions1764900000000')));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO organization (id, name) VALUES ($1, 'Before partitions')`, [before.projectA]);
      for (const project of [before.projectA, before.projectB]) {
        await client.query(`INSERT INTO project (id, organization_id, name, public_key) VALUES ($1, $2, 'P', $3)`, [project, before.projectA, `pk_${project}`]);
        for (const [i, at] of [before.old, before.recent].entries()) {
          const session = `s${i}`;
          await client.query(`INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, created_at) VALUES ($1, $2, 'v', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0))`, [project, session, at]);
          for (let seq = 0; seq < 3; seq++) {
            await client.query(
              `INSERT INTO recording_chunk (project_id, session_id, window_id, seq, batch_id, first_ts, last_ts, event_count, raw_bytes, stored_bytes, encoding, body, received_at, processed_at, facts)
               VALUES ($1, $2, 'main', $3, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0), 2, 10, 3, 'gzip', $6, to_timestamp($5 / 1000.0), CASE WHEN $3 > 0 THEN now() END, $7::jsonb)`,
              [project, session, seq, `b${seq}`, at + seq, Buffer.from([seq, 1, 2]), seq > 0 ? JSON.stringify({ endUrl: `https://x.test/${seq}` }) : null],
            );
            await client.query(
              `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, url, props) VALUES ($1, $2, 'main', $3, 0, to_timestamp($4 / 1000.0), 'pageview', 'https://x.test/', '{"a":1}'), ($1, $2, 'main', $3, 1, to_timestamp($4 / 1000.0), 'click', NULL, NULL)`,
              [project, session, seq, at + seq],
            );
          }
        }
      }
      rowsBefore = await fingerprint(async (sql) => (await client.query(sql)).rows);
    } finally {
      await client.end();
    }
    api = await startTestApi(db.url, { LOUPE_LONGEST_RETENTION_DAYS: '365' });
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('keeps every row through the migration, each in the month its session was created', async () => {
    expect(await fingerprint((sql) => query(sql))).toEqual(rowsBefore);
    expect(rowsBefore.chunks).toMatch(/12$/);
    expect(rowsBefore.events).toMatch(/24$/);
    for (const table of ['recording_chunk', 'session_event']) {
      const placed = await query<{ session_id: string; part: string; n: number }>(
        `SELECT session_id, tableoid::regclass::text AS part, count(*)::int AS n FROM ${table} WHERE project_id = ANY($1) GROUP BY 1, 2 ORDER BY 1`,
        [[before.projectA, before.projectB]],
      );
      const per = table === 'recording_chunk' ? 6 : 12;
      expect(placed).toEqual([
        { session_id: 's0', part: partitionOf(table, before.old), n: per },
        { session_id: 's1', part: partitionOf(table, before.recent), n: per },
      ]);
    }
    // The replay API reads what the migration moved.
    const chunk = await query<{ body: Buffer }>(`SELECT body FROM recording_chunk WHERE project_id = $1 AND session_id = 's0' AND seq = 2`, [before.projectB]);
    expect([...chunk[0]!.body]).toEqual([2, 1, 2]);
  });

  it('stores an ingested chunk and its events in the current month, and a re-sent chunk only once', async () => {
    const b = batch(rebase(fixture('demoit-desktop-81s')).slice(0, 40));
    const post = () => request(api.http).post(`/v1/ingest?key=${account.project.publicKey}`).set('content-type', 'application/octet-stream').send(gz(b));
    expect((await post()).body).toEqual({ accepted: true, duplicate: false });
    await waitProcessed(api, account.project.id, cookie, b.sessionId);
    expect((await post()).body).toEqual({ accepted: true, duplicate: true });
    const [session] = await query<{ day: string }>(`SELECT created_on::text AS day FROM session WHERE project_id = $1 AND id = $2`, [account.project.id, b.sessionId]);
    for (const table of ['recording_chunk', 'session_event']) {
      const placed = await query<{ part: string; day: string; n: number }>(
        `SELECT tableoid::regclass::text AS part, session_day::text AS day, count(*)::int AS n FROM ${table} WHERE project_id = $1 AND session_id = $2 GROUP BY 1, 2`,
        [account.project.id, b.sessionId],
      );
      expect(placed).toEqual([{ part: partitionOf(table, now), day: session!.day, n: table === 'recording_chunk' ? 1 : expect.any(Number) }]);
    }
    // A query that names one session reads one partition: the others are pruned while it runs.
    const plan = (await query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT body FROM recording_chunk
        WHERE project_id = $1 AND session_id = $2 AND session_day = (SELECT created_on FROM session WHERE project_id = $1 AND id = $2)`,
      [account.project.id, b.sessionId],
    )).map((r) => r['QUERY PLAN']);
    const scans = plan.filter((line) => / on recording_chunk_/.test(line));
    const read = scans.filter((line) => !line.includes('never executed')).map((line) => /on (recording_chunk_(?:p\d{4}_\d{2}|default))\b/.exec(line)?.[1]);
    expect([...new Set(read.filter(Boolean))]).toEqual([partitionOf('recording_chunk', now)]);
    const detail = await request(api.http).get(`/api/v1/sessions/${b.sessionId}?project=${account.project.id}`).set('cookie', cookie);
    expect(detail.status).toBe(200);
    expect(detail.body.chunks).toHaveLength(1);
    expect(detail.body.events.length).toBeGreaterThan(0);
  });

  it('creates the coming months, moves rows out of the default partition, and drops only months past retention', async () => {
    const p = account.project.id;
    const days = { drained: now - 150 * DAY, dropped: now - 400 * DAY, edge: now - 365 * DAY };
    for (const [name, at] of Object.entries(days)) {
      await query(`INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, created_at) VALUES ($1, $2, 'v', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0))`, [p, name, at]);
      await query(
        `INSERT INTO recording_chunk (project_id, session_id, window_id, seq, batch_id, first_ts, last_ts, event_count, raw_bytes, stored_bytes, encoding, body, session_day)
         SELECT project_id, id, 'main', 0, 'b', started_at, started_at, 1, 1, 1, 'gzip', '\\x00', created_on FROM session WHERE project_id = $1 AND id = $2`,
        [p, name],
      );
    }
    // With no partition for those months yet, the rows wait in the default partition.
    expect(await query(`SELECT session_id, tableoid::regclass::text AS part FROM recording_chunk WHERE project_id = $1 AND session_id = ANY($2) ORDER BY 1`, [p, Object.keys(days)])).toEqual([
      { session_id: 'drained', part: 'recording_chunk_default' },
      { session_id: 'dropped', part: 'recording_chunk_default' },
      { session_id: 'edge', part: 'recording_chunk_default' },
    ]);
    // A month ahead that is missing (the job had not run) is made again.
    const ahead = partitionOf('recording_chunk', Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() + 2, 1));
    await query(`DROP TABLE ${ahead}`);

    const job = api.app.get(MaintainPartitionsJob);
    await job.maintain(new Date(now));

    const parts = (await query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'recording_chunk'::regclass`)).map((r) => r.name);
    expect(parts).toContain(ahead);
    expect(parts).toContain(partitionOf('recording_chunk', days.drained));
    expect(parts).toContain(partitionOf('recording_chunk', days.edge));
    expect(parts).not.toContain(partitionOf('recording_chunk', days.dropped));
    expect(await query(`SELECT to_regclass($1) AS t`, [partitionOf('recording_chunk', days.dropped)])).toEqual([{ t: null }]);
    expect(await query(`SELECT count(*)::int AS n FROM recording_chunk_default`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT session_id, tableoid::regclass::text AS part FROM recording_chunk WHERE project_id = $1 AND session_id = ANY($2) ORDER BY 1`, [p, Object.keys(days)])).toEqual([
      { session_id: 'drained', part: partitionOf('recording_chunk', days.drained) },
      { session_id: 'edge', part: partitionOf('recording_chunk', days.edge) },
    ]);
    // What was stored before the migration, newer than a year, is all still there.
    expect(await query(`SELECT count(*)::int AS n FROM recording_chunk WHERE project_id = ANY($1)`, [[before.projectA, before.projectB]])).toEqual([{ n: 12 }]);

    // Running it again changes nothing.
    const again = await job.maintain(new Date(now));
    expect(again).toEqual({ created: [], moved: 0, dropped: [] });
  });

  it('still deletes a session’s chunks and events with the session', async () => {
    await query(`DELETE FROM session WHERE project_id = $1 AND id = 's1'`, [before.projectA]);
    for (const table of ['recording_chunk', 'session_event']) {
      expect(await query(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1 AND session_id = 's1'`, [before.projectA])).toEqual([{ n: 0 }]);
      expect(await query(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1 AND session_id = 's1'`, [before.projectB])).not.toEqual([{ n: 0 }]);
    }
  });
});
