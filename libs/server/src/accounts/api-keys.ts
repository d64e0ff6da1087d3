import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ApiKey, ApiKeyScope } from '@loupe/contracts';

/** 32 random bytes: a secret this long needs no slow hash, so a SHA-256 of it is what is stored. */
export const newApiKeySecret = () => `lk_${randomBytes(32).toString('base64url')}`;
export const API_KEY_PATTERN = /^lk_[A-Za-z0-9_-]{43}$/;
export const hashApiKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

interface ApiKeyRow {
  id: string;
  project_id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface LiveApiKey {
  id: string;
  name: string;
  projectId: string;
  organizationId: string;
  organizationName: string;
  scope: ApiKeyScope;
  prefix: string;
  createdBy: string | null;
}

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  scope: r.scope,
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** The only code that reads or writes `api_key`. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: DataSource) {}

  async create(k: { projectId: string; name: string; scope: ApiKeyScope; secret: string; createdBy: string }): Promise<ApiKey> {
    const rows: ApiKeyRow[] = await this.db.query(
      `INSERT INTO api_key (project_id, name, scope, prefix, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, project_id, name, scope, prefix, created_at, last_used_at, revoked_at`,
      [k.projectId, k.name, k.scope, k.secret.slice(0, 10), hashApiKey(k.secret), k.createdBy],
    );
    return toApiKey(rows[0]!);
  }

  async list(projectId: string): Promise<ApiKey[]> {
    const rows: ApiKeyRow[] = await this.db.query(
      `SELECT id, project_id, name, scope, prefix, created_at, last_used_at, revoked_at FROM api_key WHERE project_id = $1 ORDER BY created_at, id`,
      [projectId],
    );
    return rows.map(toApiKey);
  }

  /** Revokes a live key of the project; null when the project holds no such key. */
  async revoke(projectId: string, id: string): Promise<ApiKey | null> {
    const rows: ApiKeyRow[] = await this.db.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
      `WITH revoked AS (UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND project_id = $2
       RETURNING id, project_id, name, scope, prefix, created_at, last_used_at, revoked_at) SELECT * FROM revoked`,
      [id, projectId],
    );
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  /**
   * The live key behind a secret, with its project's organization. Its last use is written at most
   * once a minute, so that a busy integration does not turn every read into a write.
   */
  async findLive(secret: string): Promise<LiveApiKey | null> {
    const rows: Array<{ id: string; name: string; project_id: string; organization_id: string; organization_name: string; scope: ApiKeyScope; prefix: string; created_by: string | null }> =
      await this.db.query(
        `WITH used AS (UPDATE api_key k SET last_used_at = now() FROM project p, organization o
          WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND p.id = k.project_id AND o.id = p.organization_id
            AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
          RETURNING k.id, k.name, k.project_id, p.organization_id, o.name AS organization_name, k.scope, k.prefix, k.created_by) SELECT * FROM used`,
        [hashApiKey(secret)],
      );
    const hit =
      rows[0] ??
      (
        (await this.db.query(
          `SELECT k.id, k.name, k.project_id, p.organization_id, o.name AS organization_name, k.scope, k.prefix, k.created_by
             FROM api_key k JOIN project p ON p.id = k.project_id JOIN organization o ON o.id = p.organization_id
            WHERE k.secret_hash = $1 AND k.revoked_at IS NULL`,
          [hashApiKey(secret)],
        )) as typeof rows
      )[0];
    if (!hit) return null;
    return { id: hit.id, name: hit.name, projectId: hit.project_id, organizationId: hit.organization_id, organizationName: hit.organization_name, scope: hit.scope, prefix: hit.prefix, createdBy: hit.created_by };
  }
}
