import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InstanceAdminsRepository } from '../admin/instance-admins.repository';
import { AccountsRepository } from '../auth/accounts.repository';
import { hashPassword } from '../auth/passwords';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { ProjectsRepository } from '../projects/projects.repository';

export interface FirstRunResult {
  created: boolean;
  adminEmail: string | null;
  defaultProject: { name: string; publicKey: string } | null;
}

/**
 * On the first start (no user yet) creates the admin, an organization and a default project, so
 * that a new install can be logged into and recorded to at once. Later starts change nothing.
 */
@Injectable()
export class FirstRunService {
  private readonly log = new Logger('Setup');

  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly projects: ProjectsRepository,
    private readonly instanceAdmins: InstanceAdminsRepository,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  async ensureAdmin(): Promise<FirstRunResult> {
    const admin = this.config.admin;
    if ((await this.accounts.countUsers()) === 0 && admin) {
      const passwordHash = await hashPassword(admin.password);
      await this.db.transaction(async (m) => {
        // Two replicas starting on an empty database: the second waits here and then sees the user.
        await m.query('SELECT pg_advisory_xact_lock(7345002)');
        const [{ count }] = (await m.query('SELECT count(*)::int AS count FROM app_user')) as Array<{ count: number }>;
        if (count > 0) return;
        const { organization, user } = await this.accounts.createOrganizationWithOwner(m, { name: 'My organization' }, { email: admin.email, name: 'Admin', passwordHash });
        await this.instanceAdmins.grant(m, user.id);
        await this.projects.create({ organizationId: organization.id, name: 'Default project', settings: { recording: { allowedOrigins: ['*'] } } }, m);
        this.log.log(`created the admin account ${admin.email} and a default project`);
      });
    }
    const user = admin ? await this.accounts.findUserByEmail(admin.email) : null;
    const orgs = user ? await this.accounts.memberships(user.id) : [];
    const [project] = await this.projects.listForOrganizations(orgs.map((o) => o.id));
    return { created: false, adminEmail: user?.email ?? null, defaultProject: project ? { name: project.name, publicKey: project.publicKey } : null };
  }
}
