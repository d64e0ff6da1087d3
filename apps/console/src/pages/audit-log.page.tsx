import type { AuditEntry, Member, Project, Role } from '@loupe/contracts';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest, messageOf } from '../api';
import { capitalize, formatDateTime } from '../format';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject, useProjects } from '../projects';
import { useProjectRights } from './feedback.page';
import { ROLE_NAMES } from './members.page';

const PAGE_SIZE = 50;

const ACTIONS: Record<string, string> = {
  'organization.renamed': 'Organization renamed',
  'member.role_changed': 'Role changed',
  'member.removed': 'Member removed',
  'invitation.created': 'Invitation created',
  'invitation.accepted': 'Invitation accepted',
  'invitation.revoked': 'Invitation withdrawn',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'project.created': 'Project created',
  'project.settings_changed': 'Project settings changed',
  'person.deleted': "Person's data erased",
};

/** Settings › Audit log: the organization's administrative changes, newest first. */
export function AuditLogPage() {
  const project = useProject();
  const { canAdmin } = useProjectRights(project);
  useDocumentTitle('Audit log', 'Settings', project.name);
  return (
    <>
      <PageHeading description="Every administrative change in this project's organization: who did what, to what, and when. Newest first.">Audit log</PageHeading>
      {canAdmin ? (
        <AuditLog project={project} />
      ) : (
        <section className="panel" aria-labelledby="audit-restricted">
          <h2 id="audit-restricted">Not available with your role</h2>
          <p className="muted">Only admins and owners of the organization can read its audit log.</p>
        </section>
      )}
    </>
  );
}

function AuditLog({ project }: { project: Project }) {
  const { state } = useProjects();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const base = `/api/v1/organizations/${project.organizationId}`;

  const load = useCallback(async (before?: string, signal?: AbortSignal) => {
    setLoading(true);
    setError(null);
    try {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE), ...(before ? { before } : {}) });
      const page = await apiRequest<{ entries: AuditEntry[] }>(`${base}/audit-log?${q}`, { signal });
      setEntries((shown) => (before ? [...shown, ...page.entries] : page.entries));
      setMore(page.entries.length === PAGE_SIZE);
    } catch (err) {
      if (!signal?.aborted) setError(messageOf(err));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }, [base]);

  useEffect(() => {
    const controller = new AbortController();
    void load(undefined, controller.signal);
    // Entries name people by id; the members' names make them readable.
    apiRequest<{ members: Member[] }>(`${base}/members`, { signal: controller.signal })
      .then((r) => setMembers(r.members))
      .catch(() => undefined);
    return () => controller.abort();
  }, [base, load]);

  const names: Names = {
    person: (id) => {
      const m = members.find((x) => x.userId === id);
      return m ? m.name || m.email : null;
    },
    project: (id) => (state.status === 'ready' ? (state.projects.find((p) => p.id === id)?.name ?? null) : null),
  };

  return (
    <section className="panel" aria-labelledby="audit-title" aria-busy={loading}>
      <h2 id="audit-title" className="visually-hidden">
        Entries
      </h2>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {!loading && !error && entries.length === 0 && <p className="muted">Nothing has been changed yet.</p>}
      {entries.length > 0 && (
        <div className="table-scroll">
          <table className="settings-table audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On what</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>{ACTIONS[e.action] ?? e.action}</td>
                  <td>{targetOf(e, names)}</td>
                  <td>{detailsOf(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <div className="load-more">
          <button type="button" className="button" disabled={loading} onClick={() => void load(entries.at(-1)?.id)}>
            {loading ? 'Loading…' : 'Load older'}
          </button>
        </div>
      )}
    </section>
  );
}

interface Names {
  person(id: string): string | null;
  project(id: string): string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const role = (v: unknown): string => (typeof v === 'string' && v in ROLE_NAMES ? ROLE_NAMES[v as Role] : String(v));

/** What an entry acted on, named as a person would: the member, the invitation's email, the key's name. */
function targetOf(e: AuditEntry, names: Names): string {
  const id = e.target ?? '';
  switch (e.action.split('.')[0]) {
    case 'member':
      return names.person(id) ?? 'A former member';
    case 'invitation':
      return e.action === 'invitation.accepted' ? 'Their invitation' : `Invitation for ${text(e.details.email) ?? 'anyone with the link'}`;
    case 'api_key':
      return `Key "${text(e.details.name) ?? id}"`;
    case 'project':
      return names.project(id) ?? text(e.details.name) ?? 'A project';
    case 'person':
      return `Person ${id}`;
    case 'organization':
      return 'This organization';
    default:
      return id;
  }
}

function detailsOf(e: AuditEntry): string {
  const d = e.details;
  switch (e.action) {
    case 'member.role_changed':
      return `From ${role(d.from)} to ${role(d.to)}`;
    case 'member.removed':
      return `Was ${role(d.role)}`;
    case 'invitation.created':
      return `As ${role(d.role)}, until ${typeof d.expiresAt === 'string' ? formatDateTime(d.expiresAt) : '?'}`;
    case 'invitation.accepted':
      return `Joined as ${role(d.role)}${d.newAccount ? ', with a new account' : ''}`;
    case 'invitation.revoked':
      return `Was for ${role(d.role)}`;
    case 'api_key.created':
      return `${capitalize(String(d.scope))} scope`;
    case 'project.settings_changed':
      return Array.isArray(d.sections) ? `Changed: ${d.sections.join(', ')}` : '';
    case 'organization.renamed':
      return `From “${String(d.from)}” to “${String(d.to)}”`;
    case 'project.created':
    case 'api_key.revoked':
      return '';
    default:
      return Object.entries(d)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ');
  }
}
