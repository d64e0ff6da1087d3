import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntry, CurrentUser } from '@loupe/contracts';

export interface AuditRecord {
  organizationId: string;
  projectId?: string | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

/** Who did what, when: every administrative change writes one line, in the change's transaction when it has one. */
@Injectable()
export class AuditLog {
  constructor(private readonly db: DataSource) {}

  async record(actor: CurrentUser | { id: string | null; label: string }, entry: AuditRecord, m: EntityManager = this.db.manager): Promise<void> {
    const { id, label } = 'label' in actor ? actor : { id: actor.id, label: actorLabel(actor) };
    await m.query(
      `INSERT INTO audit_log (organization_id, project_id, actor_id, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [entry.organizationId, entry.projectId ?? null, id, label, entry.action, entry.target ?? null, JSON.stringify(entry.details ?? {})],
    );
  }

  /** Newest first; `before` is the id of the last entry already shown. */
  async list(organizationId: string, opts: { limit: number; before?: string }): Promise<AuditEntry[]> {
    const rows: Array<{ id: string; at: Date; actor: string; actor_id: string | null; action: string; target: string | null; project_id: string | null; details: Record<string, unknown> }> =
      await this.db.query(
        `SELECT id::text AS id, at, actor, actor_id, action, target, project_id, details FROM audit_log
          WHERE organization_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY audit_log.id DESC LIMIT $3`,
        [organizationId, opts.before ?? null, opts.limit],
      );
    return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, actorId: r.actor_id, action: r.action, target: r.target, projectId: r.project_id, details: r.details }));
  }
}

export const actorLabel = (user: CurrentUser): string => (user.apiKey ? `API key "${user.apiKey.name}"` : user.email);
