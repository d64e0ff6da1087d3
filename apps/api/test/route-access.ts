/**
 * Every `/api/v1` route with what it takes to call it. `route-access.spec.ts` fails when the
 * running app registers a route missing here, then proves for each entry that a caller of another
 * project or organization gets 404, and that each role and API key scope gets exactly its access.
 *
 * To add a route: one entry with its method, its path as the controller declares it (`:params`
 * included), its scope, and `call`, which aims a valid request at the fixtures' project (ids filled
 * in, a body that passes validation) so that only access decides the answer.
 */
export type RouteScope =
  /** Data of one project: `read` any role or key, `write` members and write keys, `admin` admins and admin keys. */
  | { kind: 'project'; need: 'read' | 'write' | 'admin' }
  /** An organization's business: `read` any member, `admin` admins, `owner` owners. API keys never. */
  | { kind: 'organization'; need: 'read' | 'admin' | 'owner' }
  /** Any logged-in caller, about themselves or what they see anyway. */
  | { kind: 'account' }
  /** Administrators of the installation only. */
  | { kind: 'instance' }
  /** No login: the request itself carries its secret (a password, an invitation link). */
  | { kind: 'public' };

/** What one project (with its organization) holds, for aiming requests at it. */
export interface RouteFixture {
  projectId: string;
  organizationId: string;
  sessionId: string;
  answerId: string;
  experimentId: string;
  funnelId: string;
  /** A new funnel each time, so that a route which deletes one leaves the others alone. */
  newFunnel(): Promise<string>;
  /** The definition the fixture's experiment was created with; `key` set anew makes another. */
  experiment: Record<string, unknown>;
  /** A new survey each time, so that a route which deletes one leaves the others alone. */
  newSurvey(): Promise<string>;
  newApiKey(): Promise<string>;
  newInvitation(): Promise<string>;
  /** A new viewer of the organization, for routes that change or remove a member. */
  newMember(): Promise<string>;
  importEvents: unknown[];
}

export interface RouteCall {
  url: string;
  body?: unknown;
}

export interface RouteAccess {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  scope: RouteScope;
  call?: (f: RouteFixture) => RouteCall | Promise<RouteCall>;
}

const project = (need: 'read' | 'write' | 'admin') => ({ kind: 'project', need }) as const;
const organization = (need: 'read' | 'admin' | 'owner') => ({ kind: 'organization', need }) as const;
const ACCOUNT = { kind: 'account' } as const;
const INSTANCE = { kind: 'instance' } as const;
const PUBLIC = { kind: 'public' } as const;
const FROM = new Date(Date.now() - 30 * 86_400_000).toISOString();
const TO = new Date(Date.now() + 86_400_000).toISOString();
const FUNNEL = { name: 'Matrix funnel', steps: [{ type: 'page', pageKey: '/' }, { type: 'page', pageKey: '/cart' }] };

export const ROUTES: RouteAccess[] = [
  // Accounts
  { method: 'POST', path: '/api/v1/auth/login', scope: PUBLIC },
  { method: 'POST', path: '/api/v1/auth/logout', scope: PUBLIC },
  { method: 'GET', path: '/api/v1/auth/me', scope: ACCOUNT },
  { method: 'POST', path: '/api/v1/auth/password', scope: ACCOUNT },
  { method: 'POST', path: '/api/v1/auth/logout-everywhere', scope: ACCOUNT },
  { method: 'POST', path: '/api/v1/auth/password-reset', scope: PUBLIC },
  { method: 'GET', path: '/api/v1/auth/password-reset/:token', scope: PUBLIC },
  { method: 'POST', path: '/api/v1/auth/password-reset/:token', scope: PUBLIC },
  { method: 'GET', path: '/api/v1/invitations/:token', scope: PUBLIC },
  { method: 'POST', path: '/api/v1/invitations/:token/accept', scope: PUBLIC },

  // Organizations
  { method: 'GET', path: '/api/v1/projects', scope: ACCOUNT },
  { method: 'POST', path: '/api/v1/projects', scope: organization('admin'), call: (f) => ({ url: '/api/v1/projects', body: { name: 'Matrix', organizationId: f.organizationId } }) },
  {
    method: 'PATCH',
    path: '/api/v1/organizations/:organizationId',
    scope: organization('admin'),
    call: (f) => ({ url: `/api/v1/organizations/${f.organizationId}`, body: { name: 'Matrix organization' } }),
  },
  { method: 'GET', path: '/api/v1/organizations/:organizationId/members', scope: organization('read'), call: (f) => ({ url: `/api/v1/organizations/${f.organizationId}/members` }) },
  {
    method: 'PATCH',
    path: '/api/v1/organizations/:organizationId/members/:userId',
    scope: organization('admin'),
    call: async (f) => ({ url: `/api/v1/organizations/${f.organizationId}/members/${await f.newMember()}`, body: { role: 'member' } }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/organizations/:organizationId/members/:userId',
    scope: organization('admin'),
    call: async (f) => ({ url: `/api/v1/organizations/${f.organizationId}/members/${await f.newMember()}` }),
  },
  { method: 'GET', path: '/api/v1/organizations/:organizationId/invitations', scope: organization('admin'), call: (f) => ({ url: `/api/v1/organizations/${f.organizationId}/invitations` }) },
  {
    method: 'POST',
    path: '/api/v1/organizations/:organizationId/invitations',
    scope: organization('admin'),
    call: (f) => ({ url: `/api/v1/organizations/${f.organizationId}/invitations`, body: { role: 'viewer' } }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/organizations/:organizationId/invitations/:invitationId',
    scope: organization('admin'),
    call: async (f) => ({ url: `/api/v1/organizations/${f.organizationId}/invitations/${await f.newInvitation()}` }),
  },
  { method: 'GET', path: '/api/v1/organizations/:organizationId/audit-log', scope: organization('admin'), call: (f) => ({ url: `/api/v1/organizations/${f.organizationId}/audit-log` }) },

  // Projects
  { method: 'GET', path: '/api/v1/projects/:id/settings', scope: project('read'), call: (f) => ({ url: `/api/v1/projects/${f.projectId}/settings` }) },
  { method: 'PATCH', path: '/api/v1/projects/:id/settings', scope: project('admin'), call: (f) => ({ url: `/api/v1/projects/${f.projectId}/settings`, body: { recording: { allowedOrigins: ['*'] } } }) },
  { method: 'GET', path: '/api/v1/projects/:projectId/api-keys', scope: project('admin'), call: (f) => ({ url: `/api/v1/projects/${f.projectId}/api-keys` }) },
  { method: 'POST', path: '/api/v1/projects/:projectId/api-keys', scope: project('admin'), call: (f) => ({ url: `/api/v1/projects/${f.projectId}/api-keys`, body: { name: 'matrix', scope: 'read' } }) },
  { method: 'DELETE', path: '/api/v1/projects/:projectId/api-keys/:keyId', scope: project('admin'), call: async (f) => ({ url: `/api/v1/projects/${f.projectId}/api-keys/${await f.newApiKey()}` }) },

  // Recordings
  { method: 'GET', path: '/api/v1/sessions', scope: project('read'), call: (f) => ({ url: `/api/v1/sessions?project=${f.projectId}` }) },
  { method: 'POST', path: '/api/v1/sessions/import', scope: project('write'), call: (f) => ({ url: `/api/v1/sessions/import?project=${f.projectId}`, body: f.importEvents }) },
  { method: 'GET', path: '/api/v1/sessions/:id', scope: project('read'), call: (f) => ({ url: `/api/v1/sessions/${f.sessionId}?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/sessions/:id/export', scope: project('read'), call: (f) => ({ url: `/api/v1/sessions/${f.sessionId}/export?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/sessions/:id/chunks/:windowId/:seq', scope: project('read'), call: (f) => ({ url: `/api/v1/sessions/${f.sessionId}/chunks/main/0?project=${f.projectId}` }) },
  // Data subject requests: a person of whom nothing is held is a valid request too.
  { method: 'GET', path: '/api/v1/people/:id', scope: project('read'), call: (f) => ({ url: `/api/v1/people/matrix-visitor?project=${f.projectId}` }) },
  { method: 'DELETE', path: '/api/v1/people/:id', scope: project('admin'), call: (f) => ({ url: `/api/v1/people/matrix-visitor?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/pages', scope: project('read'), call: (f) => ({ url: `/api/v1/pages?project=${f.projectId}` }) },

  // Funnels, journeys, engagement, heatmaps
  { method: 'GET', path: '/api/v1/funnels', scope: project('read'), call: (f) => ({ url: `/api/v1/funnels?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/funnels/suggestions', scope: project('read'), call: (f) => ({ url: `/api/v1/funnels/suggestions?project=${f.projectId}&type=page&q=` }) },
  { method: 'POST', path: '/api/v1/funnels', scope: project('write'), call: (f) => ({ url: `/api/v1/funnels?project=${f.projectId}`, body: FUNNEL }) },
  { method: 'GET', path: '/api/v1/funnels/:id', scope: project('read'), call: (f) => ({ url: `/api/v1/funnels/${f.funnelId}?project=${f.projectId}` }) },
  { method: 'PUT', path: '/api/v1/funnels/:id', scope: project('write'), call: (f) => ({ url: `/api/v1/funnels/${f.funnelId}?project=${f.projectId}`, body: FUNNEL }) },
  { method: 'DELETE', path: '/api/v1/funnels/:id', scope: project('write'), call: async (f) => ({ url: `/api/v1/funnels/${await f.newFunnel()}?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/funnels/:id/results', scope: project('read'), call: (f) => ({ url: `/api/v1/funnels/${f.funnelId}/results?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/paths', scope: project('read'), call: (f) => ({ url: `/api/v1/paths?project=${f.projectId}&start=/` }) },
  { method: 'GET', path: '/api/v1/metrics', scope: project('read'), call: (f) => ({ url: `/api/v1/metrics?project=${f.projectId}&from=${FROM}&to=${TO}&interval=day` }) },
  { method: 'GET', path: '/api/v1/heatmaps', scope: project('read'), call: (f) => ({ url: `/api/v1/heatmaps?project=${f.projectId}&page=${encodeURIComponent('/')}&kind=click` }) },
  { method: 'GET', path: '/api/v1/heatmaps/snapshots', scope: project('read'), call: (f) => ({ url: `/api/v1/heatmaps/snapshots?project=${f.projectId}&page=${encodeURIComponent('/')}` }) },

  // Feedback
  { method: 'GET', path: '/api/v1/surveys', scope: project('read'), call: (f) => ({ url: `/api/v1/surveys?project=${f.projectId}` }) },
  { method: 'POST', path: '/api/v1/surveys', scope: project('write'), call: (f) => ({ url: `/api/v1/surveys?project=${f.projectId}`, body: { name: 'Matrix NPS', kind: 'nps' } }) },
  { method: 'GET', path: '/api/v1/surveys/:id', scope: project('read'), call: async (f) => ({ url: `/api/v1/surveys/${await f.newSurvey()}?project=${f.projectId}` }) },
  { method: 'PATCH', path: '/api/v1/surveys/:id', scope: project('write'), call: async (f) => ({ url: `/api/v1/surveys/${await f.newSurvey()}?project=${f.projectId}`, body: { name: 'Renamed' } }) },
  { method: 'DELETE', path: '/api/v1/surveys/:id', scope: project('write'), call: async (f) => ({ url: `/api/v1/surveys/${await f.newSurvey()}?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/feedback', scope: project('read'), call: (f) => ({ url: `/api/v1/feedback?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/feedback/assignees', scope: project('read'), call: (f) => ({ url: `/api/v1/feedback/assignees?project=${f.projectId}` }) },
  { method: 'GET', path: '/api/v1/feedback/:id', scope: project('read'), call: (f) => ({ url: `/api/v1/feedback/${f.answerId}?project=${f.projectId}` }) },
  { method: 'PATCH', path: '/api/v1/feedback/:id', scope: project('write'), call: (f) => ({ url: `/api/v1/feedback/${f.answerId}?project=${f.projectId}`, body: { tags: ['matrix'] } }) },
  { method: 'POST', path: '/api/v1/feedback/:id/notes', scope: project('write'), call: (f) => ({ url: `/api/v1/feedback/${f.answerId}/notes?project=${f.projectId}`, body: { body: 'Seen.' } }) },
  { method: 'GET', path: '/api/v1/cx', scope: project('read'), call: (f) => ({ url: `/api/v1/cx?project=${f.projectId}&from=${FROM}&to=${TO}` }) },
  { method: 'GET', path: '/api/v1/cx/variants', scope: project('read'), call: (f) => ({ url: `/api/v1/cx/variants?project=${f.projectId}&experiment=checkout&kind=nps` }) },

  // Experiments
  { method: 'POST', path: '/api/v1/experiments/analyze', scope: ACCOUNT },
  { method: 'GET', path: '/api/v1/experiments', scope: project('read'), call: (f) => ({ url: `/api/v1/experiments?project=${f.projectId}` }) },
  {
    method: 'POST',
    path: '/api/v1/experiments',
    scope: project('write'),
    call: (f) => ({ url: `/api/v1/experiments?project=${f.projectId}`, body: { ...f.experiment, key: `matrix-${Math.random().toString(36).slice(2, 10)}` } }),
  },
  { method: 'GET', path: '/api/v1/experiments/:id', scope: project('read'), call: (f) => ({ url: `/api/v1/experiments/${f.experimentId}?project=${f.projectId}` }) },
  { method: 'PUT', path: '/api/v1/experiments/:id', scope: project('write'), call: (f) => ({ url: `/api/v1/experiments/${f.experimentId}?project=${f.projectId}`, body: f.experiment }) },
  { method: 'GET', path: '/api/v1/experiments/:id/results', scope: project('read'), call: (f) => ({ url: `/api/v1/experiments/${f.experimentId}/results?project=${f.projectId}` }) },

  // The installation
  { method: 'GET', path: '/api/v1/admin/queues', scope: INSTANCE, call: () => ({ url: '/api/v1/admin/queues' }) },
  { method: 'GET', path: '/api/v1/admin/queues/:queue/failed', scope: INSTANCE, call: () => ({ url: '/api/v1/admin/queues/system/failed' }) },
  { method: 'POST', path: '/api/v1/admin/queues/:queue/failed/retry', scope: INSTANCE, call: () => ({ url: '/api/v1/admin/queues/system/failed/retry' }) },
  { method: 'POST', path: '/api/v1/admin/queues/:queue/failed/:jobId/retry', scope: INSTANCE, call: () => ({ url: '/api/v1/admin/queues/system/failed/1/retry' }) },
];
