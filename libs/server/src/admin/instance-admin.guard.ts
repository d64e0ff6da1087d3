import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { CurrentUser } from '@loupe/contracts';
import { InstanceAdminsRepository } from './instance-admins.repository';

/**
 * After `SessionGuard`: lets only instance administrators through. What these routes show spans
 * every organization, so an organization's owner is not enough.
 */
@Injectable()
export class InstanceAdminGuard implements CanActivate {
  constructor(private readonly admins: InstanceAdminsRepository) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const user = ctx.switchToHttp().getRequest<{ user?: CurrentUser }>().user;
    if (!user) throw new UnauthorizedException('Log in first: this needs a console session.');
    if (user.apiKey || !(await this.admins.isInstanceAdmin(user.id))) {
      throw new ForbiddenException('Only administrators of this Loupe installation can see its queues. Ask the person who installed Loupe.');
    }
    return true;
  }
}
