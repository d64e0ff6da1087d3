import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Role } from '@loupe/contracts';
import { createApiApp, loadConfig, openPlatform, type LoupeConfig, type Platform } from '@loupe/server';
import { AccountsRepository } from '../../libs/server/src/auth/accounts.repository';
import { hashPassword } from '../../libs/server/src/auth/passwords';
import { ProjectsRepository } from '../../libs/server/src/projects/projects.repository';

export interface TestApi {
  app: NestFastifyApplication;
  /** For supertest: `request(api.http)`. */
  http: NestFastifyApplication['getHttpServer'] extends () => infer S ? S : never;
  config: LoupeConfig;
  platform: Platform;
  close(): Promise<void>;
}

/** The real api application on a real database, listening on no port (supertest injects requests). */
export async function startTestApi(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      LOUPE_ADMIN_EMAIL: 'first-admin@test.loupe',
      LOUPE_ADMIN_PASSWORD: 'first-admin-password',
      LOUPE_LOG_LEVEL: 'error',
      LOUPE_INLINE_WORKER: 'true',
      // Test files share the databases; their own queue names keep one file's jobs from another's workers.
      LOUPE_QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`,
      // Tests send everything from one address and a few accounts; the rate-limit tests set their own.
      LOUPE_RATE_LIMIT_API: '1000000',
      LOUPE_RATE_LIMIT_INGEST_CLIENT: '1000000',
      LOUPE_RATE_LIMIT_LOGIN: '1000000',
      ...env,
    },
    'api',
  );
  const platform = await openPlatform(config, { migrate: true });
  const app = await createApiApp(config, platform, { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: app.getHttpServer(),
    config,
    platform,
    async close() {
      await app.close();
      await platform.close();
    },
  };
}

export interface SeededAccount {
  email: string;
  password: string;
  userId: string;
  organizationId: string;
  project: { id: string; publicKey: string };
}

/** A user of their own organization with one project, so that tests sharing a database stay apart. */
export async function seedAccount(api: TestApi, role: Role = 'owner'): Promise<SeededAccount> {
  const email = `user-${randomUUID()}@test.loupe`;
  const password = `pw-${randomUUID()}`;
  const accounts = api.app.get(AccountsRepository);
  const projects = api.app.get(ProjectsRepository);
  const passwordHash = await hashPassword(password);
  return api.platform.dataSource.transaction(async (m) => {
    const { organization, user } = await accounts.createOrganizationWithOwner(m, { name: `Org ${email}` }, { email, name: 'Test user', passwordHash });
    if (role !== 'owner') await m.query('UPDATE membership SET role = $1 WHERE user_id = $2', [role, user.id]);
    const project = await projects.create({ organizationId: organization.id, name: 'Test project', settings: { recording: { allowedOrigins: ['*'] } } }, m);
    return { email, password, userId: user.id, organizationId: organization.id, project: { id: project.id, publicKey: project.publicKey } };
  });
}

/** Another user in an existing organization, with the role given (no project of their own). */
export async function seedMember(api: TestApi, organizationId: string, role: Role): Promise<Omit<SeededAccount, 'project'>> {
  const email = `member-${randomUUID()}@test.loupe`;
  const password = `pw-${randomUUID()}`;
  const passwordHash = await hashPassword(password);
  const [user]: Array<{ id: string }> = await api.platform.dataSource.query(`INSERT INTO app_user (email, name, password_hash) VALUES ($1, 'Test member', $2) RETURNING id`, [email, passwordHash]);
  await api.platform.dataSource.query(`INSERT INTO membership (organization_id, user_id, role) VALUES ($1, $2, $3)`, [organizationId, user!.id, role]);
  return { email, password, userId: user!.id, organizationId };
}
