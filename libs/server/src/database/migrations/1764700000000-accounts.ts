import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Teams and machine access: invitations into an organization, API keys per project (only a
 * SHA-256 of each secret is kept), and the audit log of administrative actions. Login sessions
 * stop keeping the raw client address: a hash is enough to tell sessions apart.
 */
export class Accounts1764700000000 implements MigrationInterface {
  name = 'Accounts1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        email text,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        invited_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        revoked_at timestamptz
      );
      CREATE UNIQUE INDEX invitation_token_key ON invitation (token_hash);
      CREATE INDEX invitation_organization_idx ON invitation (organization_id, created_at DESC);
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        name text NOT NULL,
        scope text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
        prefix text NOT NULL,
        secret_hash text NOT NULL,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE UNIQUE INDEX api_key_secret_key ON api_key (secret_hash);
      CREATE INDEX api_key_project_idx ON api_key (project_id, created_at);
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        project_id uuid REFERENCES project (id) ON DELETE SET NULL,
        actor_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, at DESC, id DESC);
      -- rate-limiter-flexible's counters when there is no Redis; keys hold hashes, never addresses.
      CREATE TABLE rate_limit (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );
      UPDATE login_session SET client_ip = NULL;
      ALTER TABLE login_session RENAME COLUMN client_ip TO client_hash;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE login_session RENAME COLUMN client_hash TO client_ip; DROP TABLE rate_limit; DROP TABLE audit_log; DROP TABLE api_key; DROP TABLE invitation;`);
  }
}
