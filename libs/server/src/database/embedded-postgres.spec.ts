import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

describe('the embedded database under concurrent connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-pglite-'));
  let db: EmbeddedPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await startEmbeddedPostgres(dir);
    pool = new pg.Pool({ connectionString: db.url, max: 20 });
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter SELECT g, 0 FROM generate_series(1, 10) g');
  });
  afterAll(async () => {
    await pool?.end();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps parameterised queries of many connections apart', async () => {
    // Different parameter counts: an interleaved Parse from another connection would make a Bind fail.
    const work = Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 0
        ? pool.query('SELECT $1::int AS a', [i]).then((r) => expect(r.rows[0].a).toBe(i))
        : i % 3 === 1
          ? pool.query('SELECT $1::int + $2::int AS a', [i, 1]).then((r) => expect(r.rows[0].a).toBe(i + 1))
          : pool.query('SELECT $1::text || $2::text || $3::text AS a', ['x', String(i), 'y']).then((r) => expect(r.rows[0].a).toBe(`x${i}y`)),
    );
    await Promise.all(work);
  });

  it('keeps transactions whole: no lost or crossed writes', async () => {
    const increments = Array.from({ length: 100 }, async (_, i) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const id = (i % 10) + 1;
        const { rows } = await client.query('SELECT n FROM counter WHERE id = $1 FOR UPDATE', [id]);
        await client.query('UPDATE counter SET n = $2 WHERE id = $1', [id, rows[0].n + 1]);
        if (i % 7 === 0) await client.query('ROLLBACK');
        else await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    await Promise.all(increments);
    const { rows } = await pool.query('SELECT sum(n)::int AS total FROM counter');
    const rolledBack = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 7 === 0).length;
    expect(rows[0].total).toBe(100 - rolledBack);
  });

  it('goes on serving after a failing statement', async () => {
    await expect(pool.query('SELECT * FROM no_such_table WHERE id = $1', [1])).rejects.toThrow(/no_such_table/);
    expect((await pool.query('SELECT $1::int AS ok', [7])).rows[0].ok).toBe(7);
  });
});
