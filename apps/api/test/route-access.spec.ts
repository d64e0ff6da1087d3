import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@loupe/contracts';
import { apiKeyHeader, loginCookie, postBatch, waitProcessed } from '../../../tools/testing/api-client';
import { serverDatabaseUrl } from '../../../tools/testing/databases';
import { batch, fixture, newId, rebase } from '../../../tools/testing/recordings';
import { seedAccount, seedMember, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';
import { ROUTES, type RouteAccess, type RouteFixture } from './route-access';

/** Every route the running application registered, as `METHOD /path` with the controller's `:params`. */
function registeredRoutes(api: TestApi): string[] {
  const out = new Set<string>();
  for (const mod of api.app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const type = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!type) continue;
      const bases = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      const proto = type.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const base of bases) {
          for (const sub of ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler) ?? '')) {
            const path = `/${[base, sub].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
            out.add(`${RequestMethod[method]} ${path}`);
          }
        }
      }
    }
  }
  return [...out].sort();
}

const key = (r: Pick<RouteAccess, 'method' | 'path'>) => `${r.method} ${r.path}`;
const PROJECT_GRANTS: Record<Role, string[]> = { viewer: ['read'], member: ['read', 'write'], admin: ['read', 'write', 'admin'], owner: ['read', 'write', 'admin'] };
const ORGANIZATION_GRANTS: Record<Role, string[]> = { viewer: ['read'], member: ['read'], admin: ['read', 'admin'], owner: ['read', 'admin', 'owner'] };
const SCOPE_GRANTS: Record<'read' | 'write' | 'admin', string[]> = { read: ['read'], write: ['read', 'write'], admin: ['read', 'write', 'admin'] };

// One database shape is enough here: access is decided in code that both shapes share.
describe('access to every /api/v1 route', () => {
  let api: TestApi;
  let a: SeededAccount;
  let b: SeededAccount;
  let aCookie: string;
  let aKey: string;
  let bOwnerCookie: string;
  const bRoles = new Map<Role, string>();
  const bKeys = new Map<'read' | 'write' | 'admin', string>();
  let bFixture: RouteFixture;

  beforeAll(async () => {
    api = await startTestApi(serverDatabaseUrl() ?? (await import('../../../tools/testing/databases')).databaseShapes()[0]!.url);
    a = await seedAccount(api);
    b = await seedAccount(api);
    aCookie = await loginCookie(api, a);
    aKey = await apiKeyHeader(api, aCookie, a.project.id, 'admin');
    bOwnerCookie = await loginCookie(api, b);
    bRoles.set('owner', bOwnerCookie);
    for (const role of ['viewer', 'member', 'admin'] as const) bRoles.set(role, await loginCookie(api, await seedMember(api, b.organizationId, role)));
    for (const scope of ['read', 'write', 'admin'] as const) bKeys.set(scope, await apiKeyHeader(api, bOwnerCookie, b.project.id, scope));

    const events = rebase(fixture('demoit-desktop-81s')).slice(0, 40);
    const recorded = batch(events);
    expect((await postBatch(api, b.project.publicKey, recorded)).status).toBe(202);
    await waitProcessed(api, b.project.id, bOwnerCookie, recorded.sessionId);
    const owner = () => request(api.http);
    const newSurvey = async () => {
      const r = await owner().post(`/api/v1/surveys?project=${b.project.id}`).set('cookie', bOwnerCookie).send({ name: 'Fixture', kind: 'nps' });
      return r.body.survey.id as string;
    };
    const running = await newSurvey();
    await owner().patch(`/api/v1/surveys/${running}?project=${b.project.id}`).set('cookie', bOwnerCookie).send({ status: 'running' });
    const answered = await owner()
      .post(`/v1/feedback?key=${b.project.publicKey}`)
      .send({ id: newId(), surveyId: running, sessionId: recorded.sessionId, visitorId: recorded.visitorId, at: Date.now(), url: 'https://shop.example.com/', score: 9, comment: 'Fine', variants: {} });
    expect(answered.status, JSON.stringify(answered.body)).toBeLessThan(300);
    const answers = await owner().get(`/api/v1/feedback?project=${b.project.id}`).set('cookie', bOwnerCookie);
    const experiment = {
      key: 'checkout',
      name: 'One-page checkout',
      status: 'running',
      variants: [
        { key: 'control', weight: 0.5 },
        { key: 'b', weight: 0.5 },
      ],
      primaryMetric: { key: 'purchase', kind: 'conversion', event: 'purchase' },
    };
    const createdExperiment = await owner().post(`/api/v1/experiments?project=${b.project.id}`).set('cookie', bOwnerCookie).send(experiment);
    expect(createdExperiment.status, JSON.stringify(createdExperiment.body)).toBe(201);
    const newFunnel = async () => {
      const r = await owner().post(`/api/v1/funnels?project=${b.project.id}`).set('cookie', bOwnerCookie).send({ name: 'Fixture', steps: [{ type: 'page', pageKey: '/' }, { type: 'page', pageKey: '/cart' }] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.funnel.id as string;
    };
    bFixture = {
      projectId: b.project.id,
      organizationId: b.organizationId,
      sessionId: recorded.sessionId,
      answerId: answers.body.feedback[0].id,
      newSurvey,
      experimentId: createdExperiment.body.experiment.id,
      experiment,
      funnelId: await newFunnel(),
      newFunnel,
      newApiKey: async () => (await owner().post(`/api/v1/projects/${b.project.id}/api-keys`).set('cookie', bOwnerCookie).send({ name: 'spare', scope: 'read' })).body.apiKey.id,
      newInvitation: async () => (await owner().post(`/api/v1/organizations/${b.organizationId}/invitations`).set('cookie', bOwnerCookie).send({ role: 'viewer' })).body.invitation.id,
      newMember: async () => (await seedMember(api, b.organizationId, 'viewer')).userId,
      importEvents: events,
    };
  }, 120_000);
  afterAll(() => api?.close());

  async function send(route: RouteAccess, auth: { cookie?: string; authorization?: string }) {
    const { url, body } = await route.call!(bFixture);
    let req = request(api.http)[route.method.toLowerCase() as 'get'](url);
    if (auth.cookie) req = req.set('cookie', auth.cookie);
    if (auth.authorization) req = req.set('authorization', auth.authorization);
    return body === undefined ? req : req.send(body as object);
  }

  it('lists every route the app registers, and only those', () => {
    const registered = registeredRoutes(api).filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'));
    const listed = ROUTES.map(key);
    expect(registered.filter((r) => !listed.includes(r)), 'routes missing from apps/api/test/route-access.ts').toEqual([]);
    expect(listed.filter((r) => !registered.includes(r)), 'routes in the table that the app does not register').toEqual([]);
    for (const r of ROUTES) if (r.scope.kind !== 'public' && r.scope.kind !== 'account') expect(r.call, `${key(r)} needs a call`).toBeTypeOf('function');
  });

  it('answers 401 to a caller without a login or key on every route that needs one', async () => {
    for (const r of ROUTES.filter((x) => x.scope.kind !== 'public')) {
      const url = r.call ? (await r.call(bFixture)).url : r.path;
      const res = await request(api.http)[r.method.toLowerCase() as 'get'](url);
      expect(res.status, key(r)).toBe(401);
    }
  });

  it("answers 404 to the owner and the admin key of another project for everything of this one's", async () => {
    for (const r of ROUTES.filter((x) => x.scope.kind === 'project' || x.scope.kind === 'organization')) {
      for (const [who, auth] of [['owner of A', { cookie: aCookie }], ['admin key of A', { authorization: aKey }]] as const) {
        // An organization's routes are refused to any key (403) before its id is looked at; the owner of A must not learn it exists.
        if (r.scope.kind === 'organization' && who === 'admin key of A') continue;
        const res = await send(r, auth);
        expect(res.status, `${key(r)} as ${who}: ${JSON.stringify(res.body)}`).toBe(404);
      }
    }
  });

  it('gives each role exactly its access: viewers read, members write, admins administer', async () => {
    for (const r of ROUTES.filter((x) => x.scope.kind === 'project' || x.scope.kind === 'organization')) {
      for (const role of ['viewer', 'member', 'admin', 'owner'] as const) {
        const grants = r.scope.kind === 'project' ? PROJECT_GRANTS[role] : ORGANIZATION_GRANTS[role];
        const allowed = grants.includes((r.scope as { need: string }).need);
        const res = await send(r, { cookie: bRoles.get(role)! });
        const label = `${key(r)} as ${role}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        if (allowed) expect(res.status, label).toBeLessThan(300);
        else {
          expect(res.status, label).toBe(403);
          expect(res.body.message, label).toMatch(/role/);
        }
      }
    }
  });

  it("gives each API key exactly its scope in its project, and no organization's business", async () => {
    for (const r of ROUTES.filter((x) => x.scope.kind === 'project' || x.scope.kind === 'organization' || x.scope.kind === 'instance')) {
      for (const scope of ['read', 'write', 'admin'] as const) {
        const res = await send(r, { authorization: bKeys.get(scope)! });
        const label = `${key(r)} with a ${scope} key: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        if (r.scope.kind === 'project' && SCOPE_GRANTS[scope].includes(r.scope.need)) expect(res.status, label).toBeLessThan(300);
        else expect(res.status, label).toBe(403);
      }
    }
  });

  it("keeps the installation's routes to its administrators", async () => {
    for (const r of ROUTES.filter((x) => x.scope.kind === 'instance')) {
      const res = await send(r, { cookie: bOwnerCookie });
      expect(res.status, key(r)).toBe(403);
    }
  });
});
