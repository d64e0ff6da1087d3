import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time partitions for the two tables that grow with traffic, `recording_chunk` and `session_event`,
 * so that retention drops whole months instead of deleting rows one by one.
 *
 * The partition key is the UTC day the session row was created (`session.created_on`), copied onto
 * every chunk and event of the session. A re-sent chunk therefore carries the same key as the first
 * one and meets it in the same partition, so the primary key (which must include the partition key)
 * still makes ingest idempotent. Partitions are monthly, plus a DEFAULT partition so that an insert
 * never fails; the `partitions.maintain` job creates months ahead, empties the default partition and
 * drops months past the longest retention.
 */
export class TimePartitions1764900000000 implements MigrationInterface {
  name = 'TimePartitions1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // A generated column: the day can never disagree with created_at, and nothing that creates
    // session rows (ingest, imports, feedback before the first batch) has to remember it.
    await q.query(`ALTER TABLE session ADD COLUMN created_on date GENERATED ALWAYS AS ((created_at AT TIME ZONE 'UTC')::date) STORED`);

    // The tables are rebuilt from what they are when this runs, not from a fixed list: columns and
    // indexes that earlier migrations added to them come along.
    const indexes: Array<{ indexname: string; indexdef: string }> = await q.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('recording_chunk', 'session_event') AND indexname NOT IN ('recording_chunk_pkey', 'session_event_pkey')`,
    );
    for (const { indexname } of indexes) await q.query(`DROP INDEX "${indexname}"`);
    await q.query(`
      ALTER TABLE recording_chunk RENAME TO recording_chunk_unpartitioned;
      ALTER TABLE recording_chunk_unpartitioned RENAME CONSTRAINT recording_chunk_pkey TO recording_chunk_unpartitioned_pkey;
      ALTER TABLE session_event RENAME TO session_event_unpartitioned;
      ALTER TABLE session_event_unpartitioned RENAME CONSTRAINT session_event_pkey TO session_event_unpartitioned_pkey;

      CREATE TABLE recording_chunk (
        LIKE recording_chunk_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED,
        session_day date NOT NULL,
        PRIMARY KEY (project_id, session_id, window_id, seq, session_day),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      ) PARTITION BY RANGE (session_day);
      CREATE TABLE recording_chunk_default PARTITION OF recording_chunk DEFAULT;

      CREATE TABLE session_event (
        LIKE session_event_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED,
        session_day date NOT NULL,
        PRIMARY KEY (project_id, session_id, window_id, seq, idx, session_day),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      ) PARTITION BY RANGE (session_day);
      CREATE TABLE session_event_default PARTITION OF session_event DEFAULT;
    `);

    // One partition per month that holds data, and the current month with the next two, so that
    // the rows copied below and the first days of ingest all find their month.
    const months: Array<{ month: string }> = await q.query(`
      SELECT DISTINCT to_char(m, 'YYYY-MM-DD') AS month FROM (
        SELECT date_trunc('month', s.created_on)::date AS m FROM session s
         WHERE EXISTS (SELECT 1 FROM recording_chunk_unpartitioned c WHERE c.project_id = s.project_id AND c.session_id = s.id)
            OR EXISTS (SELECT 1 FROM session_event_unpartitioned e WHERE e.project_id = s.project_id AND e.session_id = s.id)
        UNION ALL
        SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => n))::date FROM generate_series(0, 2) AS n
      ) AS months ORDER BY 1`);
    for (const { month } of months) {
      const suffix = month.slice(0, 7).replace('-', '_');
      for (const table of ['recording_chunk', 'session_event']) {
        await q.query(`CREATE TABLE ${table}_p${suffix} PARTITION OF ${table} FOR VALUES FROM ('${month}') TO ('${month}'::date + interval '1 month')`);
      }
    }

    // LIKE keeps the old column order and session_day comes last, so `c.*, s.created_on` lines up.
    await q.query(`
      INSERT INTO recording_chunk SELECT c.*, s.created_on
        FROM recording_chunk_unpartitioned c JOIN session s ON s.project_id = c.project_id AND s.id = c.session_id;
      INSERT INTO session_event SELECT e.*, s.created_on
        FROM session_event_unpartitioned e JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id;
      DROP TABLE recording_chunk_unpartitioned;
      DROP TABLE session_event_unpartitioned;
    `);
    for (const { indexdef } of indexes) await q.query(indexdef);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recording_chunk_flat (LIKE recording_chunk INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
      INSERT INTO recording_chunk_flat SELECT * FROM recording_chunk;
      CREATE TABLE session_event_flat (LIKE session_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
      INSERT INTO session_event_flat SELECT * FROM session_event;
      DROP TABLE recording_chunk;
      DROP TABLE session_event;
      ALTER TABLE recording_chunk_flat DROP COLUMN session_day;
      ALTER TABLE session_event_flat DROP COLUMN session_day;
      ALTER TABLE recording_chunk_flat RENAME TO recording_chunk;
      ALTER TABLE session_event_flat RENAME TO session_event;
      ALTER TABLE recording_chunk ADD PRIMARY KEY (project_id, session_id, window_id, seq),
        ADD FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE;
      ALTER TABLE session_event ADD PRIMARY KEY (project_id, session_id, window_id, seq, idx),
        ADD FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE;
      CREATE INDEX recording_chunk_unprocessed_idx ON recording_chunk (received_at) WHERE processed_at IS NULL;
      CREATE INDEX recording_chunk_session_time_idx ON recording_chunk (project_id, session_id, first_ts);
      CREATE INDEX session_event_project_kind_ts_idx ON session_event (project_id, kind, ts);
      CREATE INDEX session_event_project_url_idx ON session_event (project_id, url) WHERE kind = 'pageview';
      ALTER TABLE session DROP COLUMN created_on;
    `);
  }
}
