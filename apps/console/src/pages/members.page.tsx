import type { CurrentUser, Invitation, InviteRequest, Member, Organization, Project, Role } from '@loupe/contracts';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';
import { useAuth, useCurrentUser } from '../auth';
import { CopyButton } from '../copy-button';
import { useListing } from '../use-listing';
import { formatDateTime } from '../format';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

export const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];
export const ROLE_NAMES: Record<Role, string> = { viewer: 'Viewer', member: 'Member', admin: 'Admin', owner: 'Owner' };
const MANAGING_ROLES = new Set<Role>(['owner', 'admin']);

const EXPIRIES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
  { hours: 720, label: '30 days' },
];

type Message = { error: boolean; text: string } | null;

/**
 * The project's organization as the server sees it now. The login's copy is from when the console
 * was opened: a rename or a role change since then would not show in it.
 */
function useOrganization(project: Project): CurrentUser['organizations'][number] | undefined {
  const { refresh } = useAuth();
  useEffect(() => {
    void refresh();
  }, [refresh, project.organizationId]);
  return useCurrentUser().organizations.find((o) => o.id === project.organizationId);
}

/** Settings › Members: who is in the project's organization, with which role, and invitations to join it. */
export function MembersPage() {
  const project = useProject();
  useDocumentTitle('Members', 'Settings', project.name);
  const organization = useOrganization(project);
  const canManage = organization ? MANAGING_ROLES.has(organization.role) : false;
  const { refresh } = useAuth();

  return (
    <>
      <PageHeading description="The people of this project's organization and their roles, which apply to every project of it.">Members</PageHeading>
      {organization && <OrganizationPanel organization={{ id: organization.id, name: organization.name }} canRename={canManage} onRenamed={() => void refresh()} />}
      <MembersPanel project={project} myRole={organization?.role} canManage={canManage} />
      {canManage ? (
        <InvitationsPanel organizationId={project.organizationId} canInviteOwners={organization?.role === 'owner'} />
      ) : (
        <section className="panel" aria-labelledby="invitations-title">
          <h2 id="invitations-title">Invitations</h2>
          <p className="muted">Only admins and owners of the organization can invite people or change roles. Ask one of them to invite someone.</p>
        </section>
      )}
    </>
  );
}

function OrganizationPanel({ organization, canRename, onRenamed }: { organization: Organization; canRename: boolean; onRenamed(name: string): void }) {
  const id = useId();
  const [draft, setDraft] = useState(organization.name);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  useEffect(() => setDraft(organization.name), [organization.name]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const { organization: renamed } = await apiRequest<{ organization: Organization }>(`/api/v1/organizations/${organization.id}`, { method: 'PATCH', body: { name: draft } });
      onRenamed(renamed.name);
      setMessage({ error: false, text: `Renamed to ${renamed.name}.` });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Organization</h2>
      {canRename ? (
        <form className="form" onSubmit={submit}>
          {message && (
            <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
              {message.text}
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-name`}>Organization name</label>
            <input id={`${id}-name`} required maxLength={120} value={draft} onChange={(e) => setDraft(e.target.value)} />
          </div>
          <button type="submit" className="button button-primary" disabled={busy || draft.trim() === organization.name}>
            Rename
          </button>
        </form>
      ) : (
        <dl className="details">
          <dt>Name</dt>
          <dd>{organization.name}</dd>
        </dl>
      )}
    </section>
  );
}

function MembersPanel({ project, myRole, canManage }: { project: Project; myRole: Role | undefined; canManage: boolean }) {
  const me = useCurrentUser();
  const [busy, setBusy] = useState<string | null>(null);
  const base = `/api/v1/organizations/${project.organizationId}/members`;
  const { items: members, setItems: setMembers, message, setMessage } = useListing(base, (r: { members: Member[] }) => r.members);

  async function changeRole(member: Member, role: Role) {
    setBusy(member.userId);
    setMessage(null);
    try {
      const { member: changed } = await apiRequest<{ member: Member }>(`${base}/${member.userId}`, { method: 'PATCH', body: { role } });
      // One's own role decides what the whole console offers: start it again with the new one.
      if (member.userId === me.id) return window.location.reload();
      setMembers((list) => list?.map((m) => (m.userId === changed.userId ? changed : m)) ?? null);
      setMessage({ error: false, text: `${changed.name || changed.email} is now ${ROLE_NAMES[changed.role].toLowerCase()}.` });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(null);
    }
  }

  async function remove(member: Member) {
    const who = member.name ? `${member.name} (${member.email})` : member.email;
    const self = member.userId === me.id;
    const question = self
      ? 'Leave this organization? You lose access to its projects at once, until someone invites you again.'
      : `Remove ${who} from the organization? They lose access to its projects at once.`;
    if (!window.confirm(question)) return;
    setBusy(member.userId);
    setMessage(null);
    try {
      await apiRequest<void>(`${base}/${member.userId}`, { method: 'DELETE' });
      if (self) return window.location.assign('/');
      setMembers((list) => list?.filter((m) => m.userId !== member.userId) ?? null);
      setMessage({ error: false, text: `${who} was removed.` });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">People</h2>
      {!canManage && myRole && (
        <p className="muted small">You are a {ROLE_NAMES[myRole].toLowerCase()} here. Only admins and owners can change roles or remove people.</p>
      )}
      {message && (
        <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {members === null ? (
        !message && <p className="muted">Loading the members…</p>
      ) : (
        <div className="table-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {canManage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const label = m.name || m.email;
                return (
                  <tr key={m.userId} data-email={m.email}>
                    <td>
                      {m.name}
                      {m.userId === me.id && <span className="muted"> (you)</span>}
                    </td>
                    <td>{m.email}</td>
                    <td>
                      {canManage ? (
                        <select aria-label={`Role of ${label}`} value={m.role} disabled={busy === m.userId} onChange={(e) => void changeRole(m, e.target.value as Role)}>
                          {ROLES.map((r) => (
                            <option key={r} value={r}>
                              {ROLE_NAMES[r]}
                            </option>
                          ))}
                        </select>
                      ) : (
                        ROLE_NAMES[m.role]
                      )}
                    </td>
                    <td>
                      <time dateTime={m.joinedAt}>{formatDateTime(m.joinedAt)}</time>
                    </td>
                    {canManage && (
                      <td>
                        <button type="button" className="button button-small" disabled={busy === m.userId} onClick={() => void remove(m)} aria-label={m.userId === me.id ? 'Leave the organization' : `Remove ${label}`}>
                          {m.userId === me.id ? 'Leave' : 'Remove'}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const absoluteLink = (url: string) => (url.startsWith('/') ? `${window.location.origin}${url}` : url);

type InvitationStatus = 'open' | 'used' | 'expired' | 'withdrawn';
const STATUS_NAMES: Record<InvitationStatus, string> = { open: 'Open', used: 'Used', expired: 'Expired', withdrawn: 'Withdrawn' };

function statusOf(i: Invitation): InvitationStatus {
  if (i.revokedAt) return 'withdrawn';
  if (i.acceptedAt) return 'used';
  if (Date.parse(i.expiresAt) <= Date.now()) return 'expired';
  return 'open';
}

function InvitationsPanel({ organizationId, canInviteOwners }: { organizationId: string; canInviteOwners: boolean }) {
  const id = useId();
  const base = `/api/v1/organizations/${organizationId}/invitations`;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [hours, setHours] = useState(72);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; invitation: Invitation; emailed: boolean } | null>(null);
  const { items: invitations, message: listMessage, setMessage: setListMessage, reload: load } = useListing(base, (r: { invitations: Invitation[] }) => r.invitations);


  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setLink(null);
    try {
      const body: InviteRequest = { role, expiresInHours: hours, ...(email.trim() ? { email: email.trim() } : {}) };
      const made = await apiRequest<{ invitation: Invitation; url: string; emailed: boolean }>(base, { body });
      setLink({ url: absoluteLink(made.url), invitation: made.invitation, emailed: made.emailed });
      setEmail('');
      void load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function withdraw(i: Invitation) {
    const whom = i.email ?? 'anyone with the link';
    if (!window.confirm(`Withdraw the invitation for ${whom}? The link stops working at once.`)) return;
    setListMessage(null);
    try {
      await apiRequest(`${base}/${i.id}`, { method: 'DELETE' });
      if (link?.invitation.id === i.id) setLink(null);
      setListMessage({ error: false, text: `The invitation for ${whom} was withdrawn.` });
      await load();
    } catch (err) {
      setListMessage({ error: true, text: messageOf(err) });
    }
  }

  const roles = canInviteOwners ? ROLES : ROLES.filter((r) => r !== 'owner');
  return (
    <>
      <section className="panel" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>Invite someone</h2>
        <p className="muted">
          An invitation is a link that lets one person join with the role you choose. It works once, until it expires. Viewers see the data; members also build funnels, experiments and surveys;
          admins also manage settings, API keys and people; owners also manage owners.
        </p>
        <form className="form" onSubmit={submit}>
          {error && (
            <p className="alert" role="alert">
              {error}
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-email`}>
              Email <span className="muted">(optional)</span>
            </label>
            <input id={`${id}-email`} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} aria-describedby={`${id}-email-help`} />
            <p className="field-help" id={`${id}-email-help`}>
              Then only this person can use the link. Leave empty to let whoever you send it to join.
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-expiry`}>Link works for</label>
            <select id={`${id}-expiry`} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {EXPIRIES.map((x) => (
                <option key={x.hours} value={x.hours}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create invitation link'}
          </button>
        </form>
        {link && (
          <div className="secret-once" role="region" aria-label="New invitation link">
            <label htmlFor={`${id}-link`}>Invitation link</label>
            <input id={`${id}-link`} readOnly value={link.url} onFocus={(e) => e.target.select()} aria-describedby={`${id}-link-help`} />
            <p className="field-help" id={`${id}-link-help`}>
              {link.emailed ? `Emailed to ${link.invitation.email}. ` : ''}Shown only now: Loupe keeps no copy of it.{' '}
              {link.emailed ? 'You may also pass it on yourself' : `Send it to ${link.invitation.email ?? 'the person you invite'}`}; it works once, until {formatDateTime(link.invitation.expiresAt)}.
            </p>
            <CopyButton text={link.url} label="Copy link" what="the link" />
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>Invitations</h2>
        {listMessage && (
          <p className={listMessage.error ? 'alert' : 'muted'} role={listMessage.error ? 'alert' : 'status'}>
            {listMessage.text}
          </p>
        )}
        {invitations?.length === 0 && <p className="muted">No invitation yet.</p>}
        {invitations && invitations.length > 0 && (
          <div className="table-scroll">
            <table className="settings-table">
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.map((i) => {
                  const status = statusOf(i);
                  return (
                    <tr key={i.id} data-status={status}>
                      <td>{i.email ?? <span className="muted">Anyone with the link</span>}</td>
                      <td>{ROLE_NAMES[i.role]}</td>
                      <td>{STATUS_NAMES[status]}</td>
                      <td>
                        <time dateTime={i.createdAt}>{formatDateTime(i.createdAt)}</time>
                      </td>
                      <td>
                        <time dateTime={i.expiresAt}>{formatDateTime(i.expiresAt)}</time>
                      </td>
                      <td>
                        {status === 'open' && (
                          <button type="button" className="button button-small" onClick={() => void withdraw(i)} aria-label={`Withdraw the invitation for ${i.email ?? 'anyone with the link'}`}>
                            Withdraw
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
