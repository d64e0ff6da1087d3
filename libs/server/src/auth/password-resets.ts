import { randomBytes } from 'node:crypto';
import { GoneException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module';
import { consoleUrl, type LoupeConfig } from '../config/config';
import { hashToken } from './auth.service';
import { Mailer } from './mailer';
import { hashPassword } from './passwords';

/** How long a reset link works, and how many links one account may be sent in an hour. */
export const RESET_LINK_MINUTES = 60;
const LINKS_PER_HOUR = 3;

export interface PasswordResetPreview {
  email: string;
  expiresAt: string;
}

/**
 * "Forgot your password?": a link, sent by email (or written to the log when the installation has
 * no mail server), that lets its holder choose a new password once, within the hour. Asking never
 * tells whether an account uses the address, and no answer waits on the mail server, so the timing
 * does not tell either.
 */
@Injectable()
export class PasswordResets {
  private readonly log = new Logger('PasswordReset');
  private readonly consoleUrl: string;

  constructor(
    private readonly db: DataSource,
    private readonly mailer: Mailer,
    @Inject(CONFIG) config: LoupeConfig,
  ) {
    // Never the request's Host header: whoever asks could otherwise have the link point at their own site.
    this.consoleUrl = consoleUrl(config);
  }

  /** Resolves once the link is stored (or there was nothing to do); the sending goes on behind. */
  async request(email: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const issued = await this.db.transaction(async (m) => {
      const [user]: Array<{ id: string; email: string; name: string }> = await m.query(`SELECT id, email, name FROM app_user WHERE email = $1 FOR UPDATE`, [email.toLowerCase()]);
      if (!user) return null;
      const [{ recent }]: Array<{ recent: number }> = await m.query(
        `SELECT count(*)::int AS recent FROM password_reset WHERE user_id = $1 AND created_at > now() - interval '1 hour'`,
        [user.id],
      );
      if (recent >= LINKS_PER_HOUR) {
        this.log.warn(`Password reset for ${user.email} not sent: ${recent} links were sent in the last hour already.`);
        return null;
      }
      // Only the newest link works: an older email lying in an inbox is worth nothing.
      await m.query(`UPDATE password_reset SET expires_at = least(expires_at, now()) WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
      await m.query(`INSERT INTO password_reset (user_id, token_hash, expires_at) VALUES ($1, $2, now() + ($3 || ' minutes')::interval)`, [
        user.id,
        hashToken(token),
        String(RESET_LINK_MINUTES),
      ]);
      return user;
    });
    if (!issued) return;
    const link = `${this.consoleUrl}/reset-password/${token}`;
    if (!this.mailer.delivers) {
      this.log.warn(`Password reset asked for ${issued.email}. No mail server is configured (LOUPE_SMTP_URL), so pass this link on to them: ${link} (it works once, for ${RESET_LINK_MINUTES} minutes)`);
      return;
    }
    void this.mailer
      .send({
        to: issued.email,
        subject: 'Choose a new Loupe password',
        text: [
          `Hello ${issued.name},`,
          '',
          'Someone, hopefully you, asked to choose a new password for your Loupe account. Open this link to do so:',
          '',
          link,
          '',
          `It works once, for ${RESET_LINK_MINUTES} minutes. If you did not ask, ignore this email: your password stays as it is.`,
        ].join('\n'),
      })
      .then(
        () => this.log.log(`Password reset link sent to ${issued.email}.`),
        (err: Error) => this.log.error(`Password reset link for ${issued.email} could not be sent: ${err.message}`),
      );
  }

  async preview(token: string): Promise<PasswordResetPreview> {
    const row = await this.find(token, this.db);
    return { email: row.email, expiresAt: row.expires_at.toISOString() };
  }

  /** Sets the new password, uses up the link, and ends every login of the account. */
  async complete(token: string, password: string): Promise<{ email: string; endedSessions: number }> {
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async (m) => {
      const row = await this.find(token, m, true);
      await m.query(`UPDATE password_reset SET used_at = now() WHERE id = $1`, [row.id]);
      await m.query(`UPDATE app_user SET password_hash = $2 WHERE id = $1`, [row.user_id, passwordHash]);
      // Whoever knew the old password, or is being locked out by someone guessing it, starts afresh.
      await m.query(`DELETE FROM login_throttle WHERE key = $1`, [`email:${row.email}`]);
      const [{ n }]: Array<{ n: number }> = await m.query(`WITH gone AS (DELETE FROM login_session WHERE user_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [row.user_id]);
      this.log.log(`Password of ${row.email} reset by link; ${n} logins ended.`);
      return { email: row.email, endedSessions: n };
    });
  }

  private async find(token: string, q: Pick<DataSource, 'query'>, lock = false) {
    const rows: Array<{ id: string; user_id: string; email: string; expires_at: Date; used_at: Date | null }> = /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await q.query(
          `SELECT r.id, r.user_id, u.email, r.expires_at, r.used_at FROM password_reset r JOIN app_user u ON u.id = r.user_id WHERE r.token_hash = $1${lock ? ' FOR UPDATE OF r' : ''}`,
          [hashToken(token)],
        )
      : [];
    const row = rows[0];
    if (!row) throw new NotFoundException('This password reset link is not known. Ask for a new one on the login page.');
    if (row.used_at) throw new GoneException('This password reset link was used already. Ask for a new one on the login page.');
    if (row.expires_at.getTime() <= Date.now()) throw new GoneException('This password reset link has expired. Ask for a new one on the login page.');
    return row;
  }
}
