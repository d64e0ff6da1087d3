import { createParamDecorator, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CurrentUser as User } from '@loupe/contracts';
import { AuthService, SESSION_COOKIE } from './auth.service';

type AuthedRequest = FastifyRequest & { user?: User };

/** Lets a request through when its session cookie belongs to a live login. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const user = await this.auth.userForToken(req.cookies?.[SESSION_COOKIE]);
    if (!user) throw new UnauthorizedException('Log in first: this needs a console session.');
    req.user = user;
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new UnauthorizedException('Log in first: this needs a console session.');
  return user;
});
