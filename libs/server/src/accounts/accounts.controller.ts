import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiCreatedResponse, ApiGoneResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AcceptInvitationRequest,
  ChangeRoleRequest,
  CreateApiKeyRequest,
  InviteRequest,
  RenameOrganizationRequest,
  type ApiKey,
  type AuditEntry,
  type CurrentUser as User,
  type Invitation,
  type Member,
  type Organization,
} from '@loupe/contracts';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { AuthService, SESSION_COOKIE } from '../auth/auth.service';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ValidQuery } from '../http/valid-query';
import { ZodPipe } from '../http/zod.pipe';
import { ApiKeysService } from './api-keys.service';
import { OrganizationsService, type InvitationPreview } from './organizations.service';

/** Malformed ids are answered like unknown ones. */
const uuid = (what: string) => new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException(`No such ${what} among yours.`) });

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
  before: z.string().regex(/^\d{1,18}$/, 'must be the id of an entry').optional(),
});

@ApiTags('organizations')
@ApiCookieAuth()
@Controller('api/v1/organizations/:organizationId')
@UseGuards(SessionGuard)
export class OrganizationsController {
  constructor(private readonly orgs: OrganizationsService) {}

  @Patch()
  @ApiOperation({ summary: 'Rename the organization', description: 'Admins and owners. The audit log keeps the name before and after.' })
  @ApiBody({ schema: z.toJSONSchema(RenameOrganizationRequest) as object })
  async rename(
    @CurrentUser() user: User,
    @Param('organizationId', uuid('organization')) org: string,
    @Body(new ZodPipe(RenameOrganizationRequest)) body: RenameOrganizationRequest,
  ): Promise<{ organization: Organization }> {
    return { organization: await this.orgs.rename(user, org, body.name) };
  }

  @Get('members')
  @ApiOperation({ summary: "An organization's members and their roles", description: 'Any member may see who else is in the organization.' })
  async members(@CurrentUser() user: User, @Param('organizationId', uuid('organization')) org: string): Promise<{ members: Member[] }> {
    return { members: await this.orgs.members(user, org) };
  }

  @Patch('members/:userId')
  @ApiOperation({ summary: "Change a member's role", description: 'Admins and owners; only owners make or unmake owners, and the last owner stays one.' })
  @ApiBody({ schema: z.toJSONSchema(ChangeRoleRequest) as object })
  async changeRole(
    @CurrentUser() user: User,
    @Param('organizationId', uuid('organization')) org: string,
    @Param('userId', uuid('member')) userId: string,
    @Body(new ZodPipe(ChangeRoleRequest)) body: ChangeRoleRequest,
  ): Promise<{ member: Member }> {
    return { member: await this.orgs.changeRole(user, org, userId, body.role) };
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member from the organization', description: 'Admins and owners; only owners remove owners.' })
  @ApiNoContentResponse({ description: 'Removed.' })
  async removeMember(@CurrentUser() user: User, @Param('organizationId', uuid('organization')) org: string, @Param('userId', uuid('member')) userId: string): Promise<void> {
    await this.orgs.removeMember(user, org, userId);
  }

  @Get('invitations')
  @ApiOperation({ summary: "The organization's invitations, newest first", description: 'Admins and owners.' })
  async invitations(@CurrentUser() user: User, @Param('organizationId', uuid('organization')) org: string): Promise<{ invitations: Invitation[] }> {
    return { invitations: await this.orgs.invitations(user, org) };
  }

  @Post('invitations')
  @ApiOperation({
    summary: 'Invite someone by link',
    description:
      'Returns the link once; it works one time, until it expires (72 hours by default). With an `email` and a mail server configured (LOUPE_SMTP_URL), the link is also emailed to that address (`emailed: true`). Admins and owners; only owners invite owners.',
  })
  @ApiBody({ schema: z.toJSONSchema(InviteRequest, { io: 'input' }) as object })
  @ApiCreatedResponse({ description: '`{ "invitation": {...}, "url": "…/invite/<token>", "token": "…", "emailed": false }`' })
  async invite(@CurrentUser() user: User, @Param('organizationId', uuid('organization')) org: string, @Body(new ZodPipe(InviteRequest)) body: InviteRequest) {
    return this.orgs.invite(user, org, body);
  }

  @Delete('invitations/:invitationId')
  @ApiOperation({ summary: 'Withdraw an invitation that was not used yet', description: 'Admins and owners.' })
  async revokeInvitation(
    @CurrentUser() user: User,
    @Param('organizationId', uuid('organization')) org: string,
    @Param('invitationId', uuid('invitation')) id: string,
  ): Promise<{ invitation: Invitation }> {
    return { invitation: await this.orgs.revokeInvitation(user, org, id) };
  }

  @Get('audit-log')
  @ApiOperation({ summary: 'Administrative actions, newest first', description: 'Who did what and when: roles, invitations, API keys, settings, data deletions. Admins and owners. Page with `before` = the last id shown.' })
  async auditLog(@CurrentUser() user: User, @Param('organizationId', uuid('organization')) org: string, @ValidQuery(AuditQuery) q: z.infer<typeof AuditQuery>): Promise<{ entries: AuditEntry[] }> {
    return { entries: await this.orgs.auditLog(user, org, q) };
  }
}

@ApiTags('organizations')
@Controller('api/v1/invitations/:token')
export class InvitationsController {
  constructor(
    private readonly orgs: OrganizationsService,
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'What an invitation link offers', description: 'The organization and role; no login needed, the link is the secret.' })
  @ApiGoneResponse({ description: 'The invitation expired, was used or was withdrawn.' })
  async preview(@Param('token') token: string): Promise<{ invitation: InvitationPreview }> {
    return { invitation: await this.orgs.preview(token) };
  }

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Join the organization',
    description: 'Logged in: joins as yourself. Otherwise creates your account from `name`, `password` (and `email` when the invitation names none) and logs you in.',
  })
  @ApiOkResponse({ description: '`{ "user": {...}, "organizationId": "…" }`: who you are now, and the organization joined.' })
  @ApiBody({ schema: z.toJSONSchema(AcceptInvitationRequest) as object })
  async accept(
    @Param('token') token: string,
    @Body(new ZodPipe(AcceptInvitationRequest)) body: AcceptInvitationRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const caller = await this.auth.userForToken(req.cookies?.[SESSION_COOKIE]);
    const joined = await this.orgs.accept(token, body, caller);
    if (joined.created) {
      const { token: session, expiresAt } = await this.auth.login({ email: joined.email, password: body.password! }, { userAgent: req.headers['user-agent']?.slice(0, 300) ?? null, clientIp: req.ip });
      reply.setCookie(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'lax', secure: this.config.auth.cookieSecure, path: '/', expires: expiresAt });
      return { user: await this.auth.userForToken(session), organizationId: joined.organizationId };
    }
    return { user: await this.auth.userForToken(req.cookies?.[SESSION_COOKIE]), organizationId: joined.organizationId };
  }
}

@ApiTags('api keys')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/v1/projects/:projectId/api-keys')
@UseGuards(SessionGuard)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: "The project's API keys", description: 'Names, scopes, first characters and last use; never the secrets. Admins and owners.' })
  async list(@CurrentUser() user: User, @Param('projectId', uuid('project')) projectId: string): Promise<{ apiKeys: ApiKey[] }> {
    return { apiKeys: await this.keys.list(user, projectId) };
  }

  @Post()
  @ApiOperation({
    summary: 'Make an API key',
    description: 'The secret is in this answer only: Loupe keeps a hash of it. Send it as `Authorization: Bearer <secret>` to any /api/v1 route of this project. Scopes: read, write (funnels, experiments, surveys, feedback), admin (settings, keys). Admins and owners.',
  })
  @ApiBody({ schema: z.toJSONSchema(CreateApiKeyRequest) as object })
  @ApiCreatedResponse({ description: '`{ "apiKey": {...}, "secret": "lk_…" }`' })
  async create(@CurrentUser() user: User, @Param('projectId', uuid('project')) projectId: string, @Body(new ZodPipe(CreateApiKeyRequest)) body: CreateApiKeyRequest) {
    return this.keys.create(user, projectId, body);
  }

  @Delete(':keyId')
  @ApiOperation({ summary: 'Revoke an API key', description: 'It stops working at once. Admins and owners.' })
  async revoke(@CurrentUser() user: User, @Param('projectId', uuid('project')) projectId: string, @Param('keyId', uuid('API key')) keyId: string): Promise<{ apiKey: ApiKey }> {
    return { apiKey: await this.keys.revoke(user, projectId, keyId) };
  }
}
