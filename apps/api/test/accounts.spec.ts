import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, loginCookie } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, seedMember, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('loupe_session='))?.split(';')[0];

describe.each(databaseShapes())('organizations, invitations and API keys on the $name database', (shape) => {
  let api: TestApi;
  let owner: SeededAccount;
  let ownerCookie: string;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    owner = await seedAccount(api);
    ownerCookie = await loginCookie(api, owner);
  });
  afterAll(() => api?.close());

  const http = () => request(api.http);
  const org = (path = '') => `/api/v1/organizations/${owner.organizationId}${path}`;

  describe('invitations', () => {
    it('lets an invited person make an account by link, who then sees the project as a viewer and cannot change it', async () => {
      const made = await http().post(org('/invitations')).set('cookie', ownerCookie).send({ role: 'viewer', email: 'Ana.Invited@test.loupe' });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.body.url).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
      const token = made.body.token as string;
      // The link is the secret: only its hash is stored.
      const stored = await api.platform.dataSource.query('SELECT token_hash FROM invitation WHERE id = $1', [made.body.invitation.id]);
      expect(stored[0].token_hash).not.toContain(token);

      const preview = await http().get(`/api/v1/invitations/${token}`);
      expect(preview.status).toBe(200);
      expect(preview.body.invitation).toMatchObject({ organizationName: expect.any(String), role: 'viewer', email: 'ana.invited@test.loupe' });

      const tooShort = await http().post(`/api/v1/invitations/${token}/accept`).send({ name: 'Ana', password: 'short' });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.issues).toEqual([{ path: 'password', message: expect.stringContaining('at least 10') }]);

      const accepted = await http().post(`/api/v1/invitations/${token}/accept`).send({ name: 'Ana', password: 'a-good-long-password' });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(accepted.body.user.organizations).toEqual([{ id: owner.organizationId, name: expect.any(String), role: 'viewer' }]);
      expect(accepted.body.organizationId).toBe(owner.organizationId);
      const viewer = cookieOf(accepted)!;
      expect(viewer).toBeTruthy();

      const projects = await http().get('/api/v1/projects').set('cookie', viewer);
      expect(projects.body.projects.map((p: { id: string }) => p.id)).toEqual([owner.project.id]);
      expect((await http().get(`/api/v1/projects/${owner.project.id}/settings`).set('cookie', viewer)).status).toBe(200);
      const patch = await http().patch(`/api/v1/projects/${owner.project.id}/settings`).set('cookie', viewer).send({ recording: { allowedOrigins: ['*'] } });
      expect(patch.status).toBe(403);
      expect(patch.body.message).toMatch(/admin or owner role/);
      const survey = await http().post(`/api/v1/surveys?project=${owner.project.id}`).set('cookie', viewer).send({ name: 'NPS', kind: 'nps' });
      expect(survey.status).toBe(403);
      expect((await http().get(org('/audit-log')).set('cookie', viewer)).status).toBe(403);

      // Used once; a second use is refused and changes nothing.
      const again = await http().post(`/api/v1/invitations/${token}/accept`).send({ email: 'someone-else@test.loupe', name: 'Eve', password: 'a-good-long-password' });
      expect(again.status).toBe(410);
      expect(again.body.message).toMatch(/used already/);
      const members = await http().get(org('/members')).set('cookie', ownerCookie);
      expect(members.body.members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual(
        expect.arrayContaining([[owner.email, 'owner'], ['ana.invited@test.loupe', 'viewer']]),
      );
      expect(members.body.members.some((m: { email: string }) => m.email === 'someone-else@test.loupe')).toBe(false);

      const audit = await http().get(org('/audit-log')).set('cookie', ownerCookie);
      const actions = audit.body.entries.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`);
      expect(actions).toEqual(expect.arrayContaining([`invitation.created by ${owner.email}`, 'invitation.accepted by ana.invited@test.loupe']));
    });

    it('refuses an expired or withdrawn invitation with 410, and an unknown one with 404', async () => {
      const a = await http().post(org('/invitations')).set('cookie', ownerCookie).send({ role: 'member', expiresInHours: 1 });
      await api.platform.dataSource.query(`UPDATE invitation SET expires_at = now() - interval '1 second' WHERE id = $1`, [a.body.invitation.id]);
      const expired = await http().post(`/api/v1/invitations/${a.body.token}/accept`).send({ email: 'late@test.loupe', name: 'Late', password: 'a-good-long-password' });
      expect(expired.status).toBe(410);
      expect(expired.body.message).toMatch(/expired/);

      const b = await http().post(org('/invitations')).set('cookie', ownerCookie).send({ role: 'member' });
      expect((await http().delete(org(`/invitations/${b.body.invitation.id}`)).set('cookie', ownerCookie)).status).toBe(200);
      expect((await http().get(`/api/v1/invitations/${b.body.token}`)).status).toBe(410);
      expect((await http().get(`/api/v1/invitations/not-a-token`)).status).toBe(404);
      const rows = await api.platform.dataSource.query(`SELECT 1 FROM app_user WHERE email = 'late@test.loupe'`);
      expect(rows).toEqual([]);
    });

    it('lets a logged-in user join with the invitation, and only the invited email', async () => {
      const other = await seedAccount(api);
      const otherCookie = await loginCookie(api, other);
      const forSomeoneElse = await http().post(org('/invitations')).set('cookie', ownerCookie).send({ role: 'member', email: 'not-them@test.loupe' });
      const refused = await http().post(`/api/v1/invitations/${forSomeoneElse.body.token}/accept`).set('cookie', otherCookie).send({});
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/not-them@test\.loupe/);
      const open = await http().post(org('/invitations')).set('cookie', ownerCookie).send({ role: 'member' });
      const joined = await http().post(`/api/v1/invitations/${open.body.token}/accept`).set('cookie', otherCookie).send({});
      expect(joined.status).toBe(200);
      expect(joined.body.organizationId).toBe(owner.organizationId);
      expect(joined.body.user.organizations.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual(
        expect.arrayContaining([[other.organizationId, 'owner'], [owner.organizationId, 'member']]),
      );
      // A member now: may build surveys in the project, not change its settings.
      expect((await http().post(`/api/v1/surveys?project=${owner.project.id}`).set('cookie', otherCookie).send({ name: 'NPS', kind: 'nps' })).status).toBe(201);
      expect((await http().patch(`/api/v1/projects/${owner.project.id}/settings`).set('cookie', otherCookie).send({ recording: { allowedOrigins: ['*'] } })).status).toBe(403);
    });

    it('keeps owners to owners: an admin cannot invite or demote one, and the last owner stays', async () => {
      const admin = await seedMember(api, owner.organizationId, 'admin');
      const adminCookie = await loginCookie(api, admin);
      const inviteOwner = await http().post(org('/invitations')).set('cookie', adminCookie).send({ role: 'owner' });
      expect(inviteOwner.status).toBe(403);
      expect((await http().patch(org(`/members/${owner.userId}`)).set('cookie', adminCookie).send({ role: 'viewer' })).status).toBe(403);
      expect((await http().delete(org(`/members/${owner.userId}`)).set('cookie', adminCookie)).status).toBe(403);
      const self = await http().patch(org(`/members/${owner.userId}`)).set('cookie', ownerCookie).send({ role: 'admin' });
      expect(self.status).toBe(409);
      expect(self.body.message).toMatch(/last owner/);
      const badRole = await http().patch(org(`/members/${admin.userId}`)).set('cookie', ownerCookie).send({ role: 'boss' });
      expect(badRole.status).toBe(400);
      expect(badRole.body.issues[0].path).toBe('role');
      const demoted = await http().patch(org(`/members/${admin.userId}`)).set('cookie', ownerCookie).send({ role: 'viewer' });
      expect(demoted.status).toBe(200);
      expect(demoted.body.member.role).toBe('viewer');
      expect((await http().post(org('/invitations')).set('cookie', adminCookie).send({ role: 'viewer' })).status).toBe(403);
      expect((await http().delete(org(`/members/${admin.userId}`)).set('cookie', ownerCookie)).status).toBe(204);
      expect((await http().get('/api/v1/projects').set('cookie', adminCookie)).body.projects).toEqual([]);
      const audit = await http().get(org('/audit-log')).set('cookie', ownerCookie);
      expect(audit.body.entries.slice(0, 2).map((e: { action: string; target: string }) => [e.action, e.target])).toEqual([
        ['member.removed', admin.userId],
        ['member.role_changed', admin.userId],
      ]);
    });
  });

  describe('the organization', () => {
    it('is renamed by admins and owners, with the names before and after in the audit log', async () => {
      const admin = await seedMember(api, owner.organizationId, 'admin');
      const adminCookie = await loginCookie(api, admin);
      const renamed = await http().patch(org()).set('cookie', adminCookie).send({ name: '  Acme Retail  ' });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect(renamed.body.organization).toEqual({ id: owner.organizationId, name: 'Acme Retail' });
      const me = await http().get('/api/v1/auth/me').set('cookie', ownerCookie);
      expect(me.body.user.organizations.find((o: { id: string }) => o.id === owner.organizationId).name).toBe('Acme Retail');

      // The same name again changes nothing, and so leaves no line.
      expect((await http().patch(org()).set('cookie', ownerCookie).send({ name: 'Acme Retail' })).status).toBe(200);
      const audit = await http().get(org('/audit-log')).set('cookie', ownerCookie);
      const renames = audit.body.entries.filter((e: { action: string }) => e.action === 'organization.renamed');
      expect(renames).toHaveLength(1);
      expect(renames[0]).toMatchObject({ actor: admin.email, target: owner.organizationId, details: { to: 'Acme Retail' } });
      expect(renames[0].details.from).toEqual(expect.any(String));
    });

    it('refuses members, viewers, API keys, strangers and an empty name', async () => {
      const before = (await http().get('/api/v1/auth/me').set('cookie', ownerCookie)).body.user.organizations.find((o: { id: string }) => o.id === owner.organizationId).name;
      for (const role of ['member', 'viewer'] as const) {
        const res = await http().patch(org()).set('cookie', await loginCookie(api, await seedMember(api, owner.organizationId, role))).send({ name: 'Taken over' });
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/admin or owner/);
      }
      const key = await apiKeyHeader(api, ownerCookie, owner.project.id, 'admin');
      expect((await http().patch(org()).set('authorization', key).send({ name: 'Taken over' })).status).toBe(403);
      const stranger = await loginCookie(api, await seedAccount(api));
      expect((await http().patch(org()).set('cookie', stranger).send({ name: 'Taken over' })).status).toBe(404);
      const empty = await http().patch(org()).set('cookie', ownerCookie).send({ name: '   ' });
      expect(empty.status).toBe(400);
      expect(empty.body.issues).toEqual([{ path: 'name', message: expect.stringContaining('must not be empty') }]);
      const after = (await http().get('/api/v1/auth/me').set('cookie', ownerCookie)).body.user.organizations.find((o: { id: string }) => o.id === owner.organizationId).name;
      expect(after).toBe(before);
    });
  });

  describe('API keys', () => {
    it('shows the secret once, keeps only its hash, and lets it read its project with Bearer', async () => {
      const made = await http().post(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', ownerCookie).send({ name: 'BI export', scope: 'read' });
      expect(made.status).toBe(201);
      const secret = made.body.secret as string;
      expect(secret).toMatch(/^lk_/);
      const listed = await http().get(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', ownerCookie);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(listed.body.apiKeys).toContainEqual(expect.objectContaining({ name: 'BI export', scope: 'read', prefix: secret.slice(0, 10), lastUsedAt: null }));
      const [row] = await api.platform.dataSource.query('SELECT * FROM api_key WHERE id = $1', [made.body.apiKey.id]);
      expect(JSON.stringify(row)).not.toContain(secret);

      const sessions = await http().get(`/api/v1/sessions?project=${owner.project.id}`).set('authorization', `Bearer ${secret}`);
      expect(sessions.status).toBe(200);
      const me = await http().get('/api/v1/auth/me').set('authorization', `Bearer ${secret}`);
      expect(me.body.user.apiKey).toEqual({ id: made.body.apiKey.id, name: 'BI export', projectId: owner.project.id, scope: 'read' });
      const after = await http().get(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', ownerCookie);
      expect(after.body.apiKeys.find((k: { id: string }) => k.id === made.body.apiKey.id).lastUsedAt).not.toBeNull();
    });

    it('confines a key to its project and scope, even within its organization', async () => {
      const second = await http().post('/api/v1/projects').set('cookie', ownerCookie).send({ name: 'Second site' });
      expect(second.status).toBe(201);
      const read = await apiKeyHeader(api, ownerCookie, owner.project.id, 'read');
      const admin = await apiKeyHeader(api, ownerCookie, owner.project.id, 'admin');
      expect((await http().get('/api/v1/projects').set('authorization', read)).body.projects.map((p: { id: string }) => p.id)).toEqual([owner.project.id]);
      const elsewhere = await http().get(`/api/v1/sessions?project=${second.body.project.id}`).set('authorization', admin);
      expect(elsewhere.status).toBe(404);
      expect((await http().get(`/api/v1/projects/${second.body.project.id}/settings`).set('authorization', admin)).status).toBe(404);
      const write = await http().post(`/api/v1/surveys?project=${owner.project.id}`).set('authorization', read).send({ name: 'NPS', kind: 'nps' });
      expect(write.status).toBe(403);
      expect((await http().post(`/api/v1/surveys?project=${owner.project.id}`).set('authorization', admin).send({ name: 'NPS', kind: 'nps' })).status).toBe(201);
      // Organization business and new projects take a console login, whatever the key's scope.
      expect((await http().get(org('/members')).set('authorization', admin)).status).toBe(403);
      expect((await http().post('/api/v1/projects').set('authorization', admin).send({ name: 'Sneaky' })).status).toBe(403);
      expect((await http().get('/api/v1/admin/queues').set('authorization', admin)).status).toBe(403);
    });

    it('refuses a revoked key, a made-up key and a malformed header with 401, even beside a valid cookie', async () => {
      const made = await http().post(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', ownerCookie).send({ name: 'Old', scope: 'admin' });
      const revoked = await http().delete(`/api/v1/projects/${owner.project.id}/api-keys/${made.body.apiKey.id}`).set('cookie', ownerCookie);
      expect(revoked.status).toBe(200);
      expect(revoked.body.apiKey.revokedAt).not.toBeNull();
      const after = await http().get(`/api/v1/sessions?project=${owner.project.id}`).set('authorization', `Bearer ${made.body.secret}`).set('cookie', ownerCookie);
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/not valid or was revoked/);
      expect((await http().get('/api/v1/projects').set('authorization', `Bearer lk_${'x'.repeat(43)}`)).status).toBe(401);
      const basic = await http().get('/api/v1/projects').set('authorization', 'Basic Zm9vOmJhcg==');
      expect(basic.status).toBe(401);
      expect(basic.body.message).toMatch(/Bearer/);
      const bad = await http().post(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', ownerCookie).send({ name: '', scope: 'root' });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['name', 'scope']);
      const audit = await http().get(org('/audit-log')).set('cookie', ownerCookie);
      expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked', 'project.created']));
    });

    it('lets only admins manage keys', async () => {
      const member = await seedMember(api, owner.organizationId, 'member');
      const c = await loginCookie(api, member);
      expect((await http().get(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', c)).status).toBe(403);
      expect((await http().post(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', c).send({ name: 'x', scope: 'read' })).status).toBe(403);
      const stranger = await seedAccount(api);
      const sc = await loginCookie(api, stranger);
      expect((await http().get(`/api/v1/projects/${owner.project.id}/api-keys`).set('cookie', sc)).status).toBe(404);
      expect((await http().get(org('/members')).set('cookie', sc)).status).toBe(404);
    });
  });
});

describe.each(databaseShapes())('passwords and logins on the $name database', (shape) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(shape.url);
  });
  afterAll(() => api?.close());

  it('changes the password with the current one, ending every other login but this one', async () => {
    const account = await seedAccount(api);
    const here = await loginCookie(api, account);
    const elsewhere = await loginCookie(api, account);
    const wrong = await request(api.http).post('/api/v1/auth/password').set('cookie', here).send({ currentPassword: 'not-it', newPassword: 'a-brand-new-password' });
    expect(wrong.status).toBe(403);
    const short = await request(api.http).post('/api/v1/auth/password').set('cookie', here).send({ currentPassword: account.password, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.issues[0].path).toBe('newPassword');
    const changed = await request(api.http).post('/api/v1/auth/password').set('cookie', here).send({ currentPassword: account.password, newPassword: 'a-brand-new-password' });
    expect(changed.status).toBe(200);
    expect(changed.body.endedSessions).toBe(1);
    expect((await request(api.http).get('/api/v1/auth/me').set('cookie', here)).status).toBe(200);
    expect((await request(api.http).get('/api/v1/auth/me').set('cookie', elsewhere)).status).toBe(401);
    expect((await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: account.password })).status).toBe(401);
    expect((await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: 'a-brand-new-password' })).status).toBe(200);
  });

  it('logs out everywhere, and keeps no client address with a login', async () => {
    const account = await seedAccount(api);
    const a = await loginCookie(api, account);
    const b = await loginCookie(api, account);
    const res = await request(api.http).post('/api/v1/auth/logout-everywhere').set('cookie', a);
    expect(res.status).toBe(200);
    expect(res.body.endedSessions).toBe(2);
    for (const c of [a, b]) expect((await request(api.http).get('/api/v1/projects').set('cookie', c)).status).toBe(401);
    await loginCookie(api, account);
    const rows: Array<Record<string, unknown>> = await api.platform.dataSource.query('SELECT * FROM login_session WHERE user_id = $1', [account.userId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
    expect(rows[0]!.client_hash).toMatch(/^[0-9a-f]{16}$/);
  });
});
