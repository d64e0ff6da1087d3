import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The tables partitioned by month of `session_day` (the UTC day their session was created). */
export const PARTITIONED_TABLES = ['recording_chunk', 'session_event'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** A month as its first day, `YYYY-MM-DD`. */
export type Month = string;

export interface Partition {
  name: string;
  /** Null for the DEFAULT partition. */
  from: Month | null;
  to: Month | null;
}

export const partitionName = (table: PartitionedTable, month: Month) => `${table}_p${month.slice(0, 4)}_${month.slice(5, 7)}`;
export const defaultPartition = (table: PartitionedTable) => `${table}_default`;

/** The month after `month`. */
export function nextMonth(month: Month, by = 1): Month {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + by);
  return d.toISOString().slice(0, 10);
}

export const monthOf = (day: Date): Month => `${day.toISOString().slice(0, 7)}-01`;

const BOUND = /^FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)$/;

/** The only code that creates, fills and drops partitions. Table names come from the list above, never from input. */
@Injectable()
export class PartitionsRepository {
  constructor(private readonly db: DataSource) {}

  async partitions(table: PartitionedTable): Promise<Partition[]> {
    const rows: Array<{ name: string; bound: string }> = await this.db.query(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    );
    return rows.map((r) => {
      const m = BOUND.exec(r.bound);
      return { name: r.name, from: m?.[1] ?? null, to: m?.[2] ?? null };
    });
  }

  /** The months of the rows that found no partition of their own. */
  async monthsInDefault(table: PartitionedTable): Promise<Month[]> {
    const rows: Array<{ month: string }> = await this.db.query(
      `SELECT DISTINCT to_char(date_trunc('month', session_day), 'YYYY-MM-DD') AS month FROM ${defaultPartition(table)} ORDER BY 1`,
    );
    return rows.map((r) => r.month);
  }

  /**
   * Creates the month's partition and moves into it the rows of that month that were waiting in the
   * DEFAULT partition, in one transaction. PostgreSQL refuses to add a partition while the default
   * one holds rows of its range, so the new table is filled before it is attached; the lock on the
   * default partition keeps a row of that month from arriving there in between. Inserts of other
   * months go on meanwhile. Returns the number of rows moved.
   */
  async createMonth(table: PartitionedTable, month: Month): Promise<number> {
    const name = partitionName(table, month);
    const to = nextMonth(month);
    return this.db.transaction(async (m) => {
      await m.query(`LOCK TABLE ${table} IN SHARE UPDATE EXCLUSIVE MODE`);
      await m.query(`LOCK TABLE ${defaultPartition(table)} IN ACCESS EXCLUSIVE MODE`);
      // Another process's upkeep may have made it while this one waited for the locks.
      const [found] = (await m.query('SELECT to_regclass($1) IS NOT NULL AS exists', [name])) as Array<{ exists: boolean }>;
      if (found?.exists) return 0;
      await m.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      const [moved] = (await m.query(
        `WITH moved AS (DELETE FROM ${defaultPartition(table)} WHERE session_day >= $1::date AND session_day < $2::date RETURNING *),
              kept AS (INSERT INTO ${name} SELECT * FROM moved RETURNING 1)
         SELECT count(*)::int AS n FROM kept`,
        [month, to],
      )) as Array<{ n: number }>;
      await m.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${month}') TO ('${to}')`);
      return moved?.n ?? 0;
    });
  }

  /**
   * Detaches the partition, then drops it: its rows go at the cost of removing a file, with no
   * vacuum after. False when another process dropped it first.
   */
  async dropPartition(table: PartitionedTable, name: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      await m.query(`LOCK TABLE ${table} IN SHARE UPDATE EXCLUSIVE MODE`);
      const [attached] = (await m.query('SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = $1::regclass AND inhrelid = to_regclass($2)', [table, name])) as Array<{ n: number }>;
      if (!attached?.n) return false;
      await m.query(`ALTER TABLE ${table} DETACH PARTITION ${name}`);
      await m.query(`DROP TABLE ${name}`);
      return true;
    });
  }
}
