import { createParamDecorator, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CurrentUser as User } from '@loupe/contracts';
import { RateLimits } from '../http/rate-limits';
import { AuthService, SESSION_COOKIE } from './auth.service';

export type AuthedRequest = FastifyRequest & { user?: User };

/**
 * Lets a request through when it carries a live API key (`Authorization: Bearer lk_…`) or the
 * session cookie of a live login. A key that is sent and not valid is refused even when a cookie
 * is there too, so that a script never acts as whoever happens to be logged in.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const [scheme, secret] = authorization.trim().split(/\s+/, 2);
      if (scheme?.toLowerCase() !== 'bearer' || !secret) {
        throw new UnauthorizedException('The Authorization header must be "Bearer" followed by an API key (lk_…), made in the project\'s API keys settings.');
      }
      const caller = await this.auth.callerForApiKey(secret);
      if (!caller) throw new UnauthorizedException('This API key is not valid or was revoked. Make a new one in the project\'s API keys settings.');
      await this.limits.consume('api', `key:${caller.apiKey!.id}`);
      req.user = caller;
      return true;
    }
    const user = await this.auth.userForToken(req.cookies?.[SESSION_COOKIE]);
    if (!user) throw new UnauthorizedException('Log in first, or send an API key as "Authorization: Bearer lk_…".');
    await this.limits.consume('api', `user:${user.id}`);
    req.user = user;
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new UnauthorizedException('Log in first, or send an API key as "Authorization: Bearer lk_…".');
  return user;
});
