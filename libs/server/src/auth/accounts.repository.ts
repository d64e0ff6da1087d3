import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '@loupe/contracts';
import { AppUserEntity, LoginSessionEntity, LoginThrottleEntity, MembershipEntity, OrganizationEntity } from '../database/entities';

/** The only code that reads or writes users, memberships and login sessions. */
@Injectable()
export class AccountsRepository {
  constructor(private readonly db: DataSource) {}

  countUsers(): Promise<number> {
    return this.db.getRepository(AppUserEntity).count();
  }

  findUserByEmail(email: string): Promise<AppUserEntity | null> {
    return this.db.getRepository(AppUserEntity).findOneBy({ email: email.toLowerCase() });
  }

  findUser(id: string): Promise<AppUserEntity | null> {
    return this.db.getRepository(AppUserEntity).findOneBy({ id });
  }

  async memberships(userId: string): Promise<Array<{ id: string; name: string; role: Role }>> {
    const rows: Array<{ id: string; name: string; role: Role }> = await this.db.query(
      `SELECT o.id, o.name, m.role FROM membership m JOIN organization o ON o.id = m.organization_id
        WHERE m.user_id = $1 ORDER BY o.created_at`,
      [userId],
    );
    return rows;
  }

  async createOrganizationWithOwner(
    m: EntityManager,
    org: { name: string },
    user: { email: string; name: string; passwordHash: string },
  ): Promise<{ organization: OrganizationEntity; user: AppUserEntity }> {
    const organization = await m.getRepository(OrganizationEntity).save({ name: org.name });
    const created = await m.getRepository(AppUserEntity).save({ email: user.email.toLowerCase(), name: user.name, passwordHash: user.passwordHash });
    await m.getRepository(MembershipEntity).insert({ organizationId: organization.id, userId: created.id, role: 'owner' });
    return { organization, user: created };
  }

  async createLoginSession(s: { userId: string; tokenHash: string; expiresAt: Date; userAgent: string | null; clientHash: string | null }): Promise<void> {
    await this.db.getRepository(LoginSessionEntity).insert(s);
  }

  /** The user behind a live login session, in one query: every console request asks this. */
  async findLiveSession(tokenHash: string): Promise<{ id: string; email: string; name: string } | null> {
    const rows: Array<{ id: string; email: string; name: string }> = await this.db.query(
      `SELECT u.id, u.email, u.name FROM login_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  /** Ends every login of the user but the one kept (null: all of them); returns how many ended. */
  async deleteLoginSessionsOf(userId: string, keepTokenHash: string | null): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `WITH gone AS (DELETE FROM login_session WHERE user_id = $1 AND ($2::text IS NULL OR token_hash <> $2) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [userId, keepTokenHash],
    );
    return rows[0]?.n ?? 0;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.query(`UPDATE app_user SET password_hash = $2 WHERE id = $1`, [userId, passwordHash]);
  }

  async deleteLoginSession(tokenHash: string): Promise<void> {
    await this.db.getRepository(LoginSessionEntity).delete({ tokenHash });
  }

  getThrottle(key: string): Promise<LoginThrottleEntity | null> {
    return this.db.getRepository(LoginThrottleEntity).findOneBy({ key });
  }

  /** Counts one more failure atomically and returns the new count; a count an hour old starts over. */
  async recordFailure(key: string, blockFor: (failures: number) => number): Promise<number> {
    const rows: Array<{ failures: number }> = await this.db.query(
      `INSERT INTO login_throttle (key, failures, updated_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.updated_at < now() - interval '1 hour' THEN 1 ELSE login_throttle.failures + 1 END,
         updated_at = now()
       RETURNING failures`,
      [key],
    );
    const failures = rows[0]!.failures;
    const ms = blockFor(failures);
    if (ms > 0) await this.db.query(`UPDATE login_throttle SET blocked_until = now() + ($2 || ' milliseconds')::interval WHERE key = $1`, [key, String(ms)]);
    return failures;
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.getRepository(LoginThrottleEntity).delete({ key });
  }
}
