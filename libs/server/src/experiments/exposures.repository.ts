import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TypedEvent } from '@loupe/replay';

export interface ChunkOfSession {
  projectId: string;
  sessionId: string;
}

/**
 * Exposures: the first time each visitor saw a variant of an experiment. The one source of truth for
 * "which variant is this visitor in", read by the results, the sessions filter and the CX figures.
 */
@Injectable()
export class ExposuresRepository {
  /**
   * Records the exposures among a chunk's typed events, once per visitor and experiment. The earliest
   * one wins whatever order chunks are processed in, and processing a chunk again changes nothing.
   */
  async recordFromChunk(m: EntityManager, k: ChunkOfSession, events: readonly TypedEvent[]): Promise<number> {
    const first = new Map<string, { variant: string; ts: number }>();
    for (const e of events) {
      const variant = e.props?.['variant'];
      if (e.kind !== 'exposure' || !e.name || typeof variant !== 'string' || !variant) continue;
      const seen = first.get(e.name);
      if (!seen || e.ts < seen.ts) first.set(e.name, { variant, ts: e.ts });
    }
    if (!first.size) return 0;
    const rows: unknown[] = await m.query(
      `INSERT INTO experiment_exposure (project_id, experiment_key, visitor_id, variant, session_id, first_ts)
       SELECT s.project_id, u.key, s.visitor_id, u.variant, s.id, to_timestamp(u.ts / 1000.0)
         FROM session s, unnest($3::text[], $4::text[], $5::float8[]) AS u(key, variant, ts)
        WHERE s.project_id = $1 AND s.id = $2
       ON CONFLICT (project_id, experiment_key, visitor_id) DO UPDATE
         SET variant = EXCLUDED.variant, session_id = EXCLUDED.session_id, first_ts = EXCLUDED.first_ts
         WHERE EXCLUDED.first_ts < experiment_exposure.first_ts
       RETURNING 1`,
      [k.projectId, k.sessionId, [...first.keys()], [...first.values()].map((v) => v.variant), [...first.values()].map((v) => v.ts)],
    );
    return rows.length;
  }
}

/**
 * SQL for "sessions (alias `s`) of visitors exposed to `experiment` (and `variant`)": what the
 * sessions filter ("watch replays of this variant", only sessions going on at or after the exposure)
 * and the CX visitor figures (`fromExposure` false: any session of those visitors) select by. `param`
 * adds a value to the query and returns its placeholder.
 */
export function exposedSessionsCondition(
  param: (value: unknown) => string,
  f: { experiment: string; variant?: string; fromExposure: boolean },
  alias = 's',
): string {
  const variant = f.variant === undefined ? '' : ` AND x.variant = ${param(f.variant)}`;
  const time = f.fromExposure ? ` AND x.first_ts <= ${alias}.last_event_at` : '';
  return `EXISTS (SELECT 1 FROM experiment_exposure x WHERE x.project_id = ${alias}.project_id AND x.experiment_key = ${param(f.experiment)} AND x.visitor_id = ${alias}.visitor_id${variant}${time})`;
}
