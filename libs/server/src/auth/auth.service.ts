import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenException, HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { CurrentUser, LoginRequest } from '@loupe/contracts';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { API_KEY_PATTERN, ApiKeysRepository } from '../accounts/api-keys';
import { AccountsRepository } from './accounts.repository';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';

export const SESSION_COOKIE = 'loupe_session';

/**
 * After this many failures in a row for one email, each further failure blocks that email for
 * longer: guessing one person's password stays slow, whatever addresses it comes from.
 */
const FREE_ATTEMPTS = 5;
const MAX_BLOCK_MS = 15 * 60_000;
export const blockAfterFailure = (failures: number): number =>
  failures < FREE_ATTEMPTS ? 0 : Math.min(MAX_BLOCK_MS, 1000 * 2 ** (failures - FREE_ATTEMPTS));

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LoginContext {
  userAgent: string | null;
  clientIp: string | null;
}

/** What an API key's scope lets it do in its project, said as the role that grants the same. */
const SCOPE_ROLE = { read: 'viewer', write: 'member', admin: 'admin' } as const;

@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly apiKeys: ApiKeysRepository,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  /**
   * Returns a new session token. A wrong email and a wrong password look the same to the caller;
   * repeated failures for one email are answered 429 until the block passes.
   */
  async login(req: LoginRequest, ctx: LoginContext): Promise<{ token: string; expiresAt: Date }> {
    const throttleKey = `email:${req.email}`;
    const throttle = await this.accounts.getThrottle(throttleKey);
    if (throttle?.blockedUntil && throttle.blockedUntil.getTime() > Date.now()) {
      throw tooManyAttempts(throttle.blockedUntil);
    }
    const user = await this.accounts.findUserByEmail(req.email);
    const ok = user ? await verifyPassword(user.passwordHash, req.password) : (await verifyPassword(await dummyPasswordHash(), req.password), false);
    if (!user || !ok) {
      await this.accounts.recordFailure(throttleKey, blockAfterFailure);
      throw new UnauthorizedException('The email or password is not right.');
    }
    await this.accounts.clearThrottle(throttleKey);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.auth.sessionTtlHours * 3600_000);
    const tokenHash = hashToken(token);
    // Salted with the session's own token: sessions can be told apart, the address cannot be recovered.
    const clientHash = ctx.clientIp ? createHash('sha256').update(`${tokenHash}:${ctx.clientIp}`).digest('hex').slice(0, 16) : null;
    await this.accounts.createLoginSession({ userId: user.id, tokenHash, expiresAt, userAgent: ctx.userAgent, clientHash });
    return { token, expiresAt };
  }

  /**
   * A new password once the current one is proven; every other login of the account ends, so a
   * session someone else opened with the old password is closed too.
   */
  async changePassword(user: CurrentUser, currentToken: string | undefined, req: { currentPassword: string; newPassword: string }): Promise<{ endedSessions: number }> {
    if (user.apiKey) throw new ForbiddenException('An API key cannot change a password: log in to the console.');
    const row = await this.accounts.findUser(user.id);
    if (!row || !(await verifyPassword(row.passwordHash, req.currentPassword))) throw new ForbiddenException('The current password is not right.');
    await this.accounts.setPasswordHash(user.id, await hashPassword(req.newPassword));
    return { endedSessions: await this.accounts.deleteLoginSessionsOf(user.id, currentToken ? hashToken(currentToken) : null) };
  }

  /** Ends every login of the account, this one included. */
  async logoutEverywhere(user: CurrentUser): Promise<{ endedSessions: number }> {
    if (user.apiKey) throw new ForbiddenException('An API key has no logins to end: revoke the key instead.');
    return { endedSessions: await this.accounts.deleteLoginSessionsOf(user.id, null) };
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.accounts.deleteLoginSession(hashToken(token));
  }

  async userForToken(token: string | undefined): Promise<CurrentUser | null> {
    if (!token) return null;
    const user = await this.accounts.findLiveSession(hashToken(token));
    if (!user) return null;
    return { ...user, organizations: await this.accounts.memberships(user.id) };
  }

  /**
   * The caller behind an `Authorization: Bearer` API key: it acts as its project's organization at
   * the role its scope matches, and `apiKey` confines it to that one project.
   */
  async callerForApiKey(secret: string): Promise<CurrentUser | null> {
    if (!API_KEY_PATTERN.test(secret)) return null;
    const key = await this.apiKeys.findLive(secret);
    if (!key) return null;
    return {
      // Notes and assignments a key makes are its creator's.
      id: key.createdBy ?? key.id,
      email: `api-key:${key.prefix}`,
      name: `API key "${key.name}"`,
      organizations: [{ id: key.organizationId, name: key.organizationName, role: SCOPE_ROLE[key.scope] }],
      apiKey: { id: key.id, name: key.name, projectId: key.projectId, scope: key.scope },
    };
  }
}

function tooManyAttempts(until: Date): HttpException {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new HttpException(
    {
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Too many failed logins for this email. Try again in ${seconds} seconds, or choose a new password with "Forgot your password?".`,
      retryAfter: seconds,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
