import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Invitation, Member, Role } from '@loupe/contracts';

interface InvitationRow {
  id: string;
  organization_id: string;
  email: string | null;
  role: Role;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

export const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  organizationId: r.organization_id,
  email: r.email,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  acceptedAt: r.accepted_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

const INVITATION_COLUMNS = 'id, organization_id, email, role, created_at, expires_at, accepted_at, revoked_at';

/** The only code that reads or writes memberships of organizations and invitations into them. */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Renames the organization and returns the name it had, or null when there is no such organization. */
  async rename(m: EntityManager, organizationId: string, name: string): Promise<string | null> {
    const rows: Array<{ name: string }> = await m.query(`SELECT name FROM organization WHERE id = $1 FOR UPDATE`, [organizationId]);
    if (!rows[0]) return null;
    await m.query(`UPDATE organization SET name = $2 WHERE id = $1`, [organizationId, name]);
    return rows[0].name;
  }

  async members(organizationId: string): Promise<Member[]> {
    const rows: Array<{ user_id: string; email: string; name: string; role: Role; created_at: Date }> = await this.db.query(
      `SELECT m.user_id, u.email, u.name, m.role, m.created_at FROM membership m JOIN app_user u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY m.created_at, u.email`,
      [organizationId],
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, joinedAt: r.created_at.toISOString() }));
  }

  /** Locks the organization's memberships for the rest of the transaction, so that two admins cannot each remove the other last owner. */
  async lockedRoles(m: EntityManager, organizationId: string): Promise<Map<string, Role>> {
    const rows: Array<{ user_id: string; role: Role }> = await m.query(`SELECT user_id, role FROM membership WHERE organization_id = $1 FOR UPDATE`, [organizationId]);
    return new Map(rows.map((r) => [r.user_id, r.role]));
  }

  async setRole(m: EntityManager, organizationId: string, userId: string, role: Role): Promise<void> {
    await m.query(`UPDATE membership SET role = $3 WHERE organization_id = $1 AND user_id = $2`, [organizationId, userId, role]);
  }

  async removeMember(m: EntityManager, organizationId: string, userId: string): Promise<void> {
    await m.query(`DELETE FROM membership WHERE organization_id = $1 AND user_id = $2`, [organizationId, userId]);
  }

  /** Adds the membership, keeping the higher of two roles when the user is already a member. */
  async addMember(m: EntityManager, organizationId: string, userId: string, role: Role): Promise<void> {
    await m.query(
      `INSERT INTO membership (organization_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET role = CASE
         WHEN array_position(ARRAY['viewer','member','admin','owner'], EXCLUDED.role) > array_position(ARRAY['viewer','member','admin','owner'], membership.role)
         THEN EXCLUDED.role ELSE membership.role END`,
      [organizationId, userId, role],
    );
  }

  async createInvitation(i: { organizationId: string; tokenHash: string; email: string | null; role: Role; invitedBy: string; expiresAt: Date }, m: EntityManager): Promise<Invitation> {
    const rows: InvitationRow[] = await m.query(
      `INSERT INTO invitation (organization_id, token_hash, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${INVITATION_COLUMNS}`,
      [i.organizationId, i.tokenHash, i.email, i.role, i.invitedBy, i.expiresAt],
    );
    return toInvitation(rows[0]!);
  }

  async invitations(organizationId: string): Promise<Invitation[]> {
    const rows: InvitationRow[] = await this.db.query(`SELECT ${INVITATION_COLUMNS} FROM invitation WHERE organization_id = $1 ORDER BY created_at DESC, id`, [organizationId]);
    return rows.map(toInvitation);
  }

  async revokeInvitation(m: EntityManager, organizationId: string, id: string): Promise<Invitation | null> {
    const rows: InvitationRow[] = await m.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
      `WITH revoked AS (UPDATE invitation SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL
       RETURNING ${INVITATION_COLUMNS}) SELECT * FROM revoked`,
      [id, organizationId],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  }

  async invitationByToken(tokenHash: string, m: EntityManager = this.db.manager, lock = false): Promise<(Invitation & { organizationName: string }) | null> {
    const rows: Array<InvitationRow & { organization_name: string }> = await m.query(
      `SELECT i.id, i.organization_id, i.email, i.role, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, o.name AS organization_name
         FROM invitation i JOIN organization o ON o.id = i.organization_id WHERE i.token_hash = $1 ${lock ? 'FOR UPDATE OF i' : ''}`,
      [tokenHash],
    );
    return rows[0] ? { ...toInvitation(rows[0]), organizationName: rows[0].organization_name } : null;
  }

  async markAccepted(m: EntityManager, id: string, userId: string): Promise<void> {
    await m.query(`UPDATE invitation SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [id, userId]);
  }

  async createUser(m: EntityManager, u: { email: string; name: string; passwordHash: string }): Promise<string> {
    const rows: Array<{ id: string }> = await m.query(`INSERT INTO app_user (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id`, [u.email.toLowerCase(), u.name, u.passwordHash]);
    return rows[0]!.id;
  }

  async userIdByEmail(m: EntityManager, email: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM app_user WHERE email = $1`, [email.toLowerCase()]);
    return rows[0]?.id ?? null;
  }
}
