import { randomBytes } from 'node:crypto';
import { BadRequestException, ConflictException, ForbiddenException, GoneException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { AcceptInvitationRequest, AuditEntry, CurrentUser, Invitation, InviteRequest, Member, Organization, Role } from '@loupe/contracts';
import { InviteRequest as InviteContract } from '@loupe/contracts';
import { CONFIG } from '../config/config.module';
import { consoleUrl, type LoupeConfig } from '../config/config';
import { Mailer } from '../auth/mailer';
import { hashToken } from '../auth/auth.service';
import { hashPassword } from '../auth/passwords';
import { ProjectsService } from '../projects/projects.service';
import { AuditLog } from './audit-log';
import { OrganizationsRepository } from './organizations.repository';

export interface InvitationPreview {
  organizationName: string;
  role: Role;
  email: string | null;
  expiresAt: string;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsService,
    private readonly audit: AuditLog,
    private readonly mailer: Mailer,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  private readonly log = new Logger('Invitations');

  /** Admins and owners rename the organization; the old name stays in the audit log. */
  async rename(user: CurrentUser, organizationId: string, name: string): Promise<Organization> {
    this.projects.requireOrganization(user, organizationId, 'admin');
    await this.orgs.transaction(async (m) => {
      const before = await this.orgs.rename(m, organizationId, name);
      if (before === null) throw new NotFoundException('No such organization among yours. See yours in GET /api/v1/auth/me.');
      if (before === name) return;
      await this.audit.record(user, { organizationId, action: 'organization.renamed', target: organizationId, details: { from: before, to: name } }, m);
    });
    return { id: organizationId, name };
  }

  async members(user: CurrentUser, organizationId: string): Promise<Member[]> {
    this.projects.requireOrganization(user, organizationId, 'read');
    return this.orgs.members(organizationId);
  }

  /** Admins change members' roles; only owners make or unmake owners, and an organization always keeps one. */
  async changeRole(user: CurrentUser, organizationId: string, userId: string, role: Role): Promise<Member> {
    const mine = this.projects.requireOrganization(user, organizationId, 'admin');
    await this.orgs.transaction(async (m) => {
      const roles = await this.orgs.lockedRoles(m, organizationId);
      const current = roles.get(userId);
      if (!current) throw new NotFoundException('No such member in this organization. See GET …/members.');
      if ((current === 'owner' || role === 'owner') && mine.role !== 'owner') throw new ForbiddenException('Only an owner can make someone an owner or change an owner\'s role.');
      if (current === 'owner' && role !== 'owner' && ownerCount(roles) === 1) throw new ConflictException('This is the organization\'s last owner: make someone else owner first.');
      if (current === role) return;
      await this.orgs.setRole(m, organizationId, userId, role);
      await this.audit.record(user, { organizationId, action: 'member.role_changed', target: userId, details: { from: current, to: role } }, m);
    });
    const member = (await this.orgs.members(organizationId)).find((x) => x.userId === userId);
    return member!;
  }

  async removeMember(user: CurrentUser, organizationId: string, userId: string): Promise<void> {
    const mine = this.projects.requireOrganization(user, organizationId, 'admin');
    await this.orgs.transaction(async (m) => {
      const roles = await this.orgs.lockedRoles(m, organizationId);
      const current = roles.get(userId);
      if (!current) throw new NotFoundException('No such member in this organization. See GET …/members.');
      if (current === 'owner' && mine.role !== 'owner') throw new ForbiddenException('Only an owner can remove an owner.');
      if (current === 'owner' && ownerCount(roles) === 1) throw new ConflictException('This is the organization\'s last owner: make someone else owner first.');
      await this.orgs.removeMember(m, organizationId, userId);
      await this.audit.record(user, { organizationId, action: 'member.removed', target: userId, details: { role: current } }, m);
    });
  }

  async invitations(user: CurrentUser, organizationId: string): Promise<Invitation[]> {
    this.projects.requireOrganization(user, organizationId, 'admin');
    return this.orgs.invitations(organizationId);
  }

  /**
   * A link that lets one person join with the role given, until it expires. Only its hash is kept:
   * the link is shown once, to the admin who made it, and emailed to the person when the invitation
   * names them and the installation has a mail server (`emailed`).
   */
  async invite(user: CurrentUser, organizationId: string, req: InviteRequest): Promise<{ invitation: Invitation; url: string; token: string; emailed: boolean }> {
    const mine = this.projects.requireOrganization(user, organizationId, 'admin');
    const { email, role, expiresInHours } = InviteContract.parse(req);
    if (role === 'owner' && mine.role !== 'owner') throw new ForbiddenException('Only an owner can invite another owner.');
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + expiresInHours * 3600_000);
    const invitation = await this.orgs.transaction(async (m) => {
      const created = await this.orgs.createInvitation({ organizationId, tokenHash: hashToken(token), email: email ?? null, role, invitedBy: user.id, expiresAt }, m);
      await this.audit.record(user, { organizationId, action: 'invitation.created', target: created.id, details: { email: email ?? null, role, expiresAt: created.expiresAt } }, m);
      return created;
    });
    const url = `${this.config.http.publicUrl ?? ''}/invite/${token}`;
    const emailed = !!email && this.mailer.delivers;
    if (emailed) this.sendInvitation(user, invitation, `${consoleUrl(this.config)}/invite/${token}`);
    return { invitation, token, url, emailed };
  }

  /** In the background: the admin's answer never waits on the mail server, and a failure is logged. */
  private sendInvitation(from: CurrentUser, invitation: Invitation, link: string): void {
    const to = invitation.email!;
    const organization = from.organizations.find((o) => o.id === invitation.organizationId)?.name ?? 'an organization';
    void this.mailer
      .send({
        to,
        subject: `${from.name} invites you to ${organization} on Loupe`,
        text: [
          `Hello,`,
          '',
          `${from.name} (${from.email}) invites you to join ${organization} on Loupe as ${invitation.role === 'admin' ? 'an' : 'a'} ${invitation.role}. Open this link to accept:`,
          '',
          link,
          '',
          `It works once, until ${new Date(invitation.expiresAt).toUTCString()}. If you did not expect it, ignore this email.`,
        ].join('\n'),
      })
      .then(
        () => this.log.log(`Invitation emailed to ${to}.`),
        (err: Error) => this.log.error(`Invitation to ${to} could not be emailed: ${err.message}. The admin who made it has the link.`),
      );
  }

  async revokeInvitation(user: CurrentUser, organizationId: string, id: string): Promise<Invitation> {
    this.projects.requireOrganization(user, organizationId, 'admin');
    return this.orgs.transaction(async (m) => {
      const revoked = await this.orgs.revokeInvitation(m, organizationId, id);
      if (!revoked) throw new NotFoundException('No open invitation with this id in this organization.');
      await this.audit.record(user, { organizationId, action: 'invitation.revoked', target: id, details: { email: revoked.email, role: revoked.role } }, m);
      return revoked;
    });
  }

  /** What the person opening an invitation link is asked to join. */
  async preview(token: string): Promise<InvitationPreview> {
    const inv = await this.orgs.invitationByToken(hashToken(token));
    usable(inv);
    return { organizationName: inv.organizationName, role: inv.role, email: inv.email, expiresAt: inv.expiresAt };
  }

  /**
   * Joins the invitation's organization: as the logged-in user, or as a new account made from the
   * request. Returns who joined, and whether the caller must now be logged in as them.
   */
  async accept(token: string, req: AcceptInvitationRequest, caller: CurrentUser | null): Promise<{ userId: string; email: string; organizationId: string; role: Role; created: boolean }> {
    if (caller?.apiKey) throw new ForbiddenException('An API key cannot accept an invitation: open the link in a browser.');
    return this.orgs.transaction(async (m) => {
      const inv = await this.orgs.invitationByToken(hashToken(token), m, true);
      usable(inv);
      let userId: string;
      let email: string;
      let created = false;
      if (caller) {
        if (inv.email && inv.email !== caller.email) throw new ForbiddenException(`This invitation is for ${inv.email}. Log out, then open the link again.`);
        userId = caller.id;
        email = caller.email;
      } else {
        email = inv.email ?? req.email ?? '';
        if (!email || !req.name || !req.password) {
          throw new BadRequestException('To join, give your name and a password (at least 10 characters)' + (inv.email ? '.' : ', and your email.'));
        }
        if (await this.orgs.userIdByEmail(m, email)) throw new ConflictException(`An account for ${email} exists already: log in first, then open the link again.`);
        userId = await this.orgs.createUser(m, { email, name: req.name, passwordHash: await hashPassword(req.password) });
        created = true;
      }
      await this.orgs.addMember(m, inv.organizationId, userId, inv.role);
      await this.orgs.markAccepted(m, inv.id, userId);
      await this.audit.record({ id: userId, label: email }, { organizationId: inv.organizationId, action: 'invitation.accepted', target: inv.id, details: { role: inv.role, newAccount: created } }, m);
      return { userId, email, organizationId: inv.organizationId, role: inv.role, created };
    });
  }

  async auditLog(user: CurrentUser, organizationId: string, opts: { limit: number; before?: string }): Promise<AuditEntry[]> {
    this.projects.requireOrganization(user, organizationId, 'admin');
    return this.audit.list(organizationId, opts);
  }
}

const ownerCount = (roles: Map<string, Role>) => [...roles.values()].filter((r) => r === 'owner').length;

function usable<T extends Invitation>(inv: T | null): asserts inv is T {
  if (!inv) throw new NotFoundException('This invitation link is not known. Ask an admin of the organization for a new one.');
  if (inv.revokedAt) throw new GoneException('This invitation was withdrawn. Ask an admin of the organization for a new one.');
  if (inv.acceptedAt) throw new GoneException('This invitation was used already. Ask an admin of the organization for a new one.');
  if (Date.parse(inv.expiresAt) <= Date.now()) throw new GoneException('This invitation has expired. Ask an admin of the organization for a new one.');
}
