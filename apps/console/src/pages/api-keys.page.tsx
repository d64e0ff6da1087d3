import type { ApiKey, ApiKeyScope, Project } from '@loupe/contracts';
import { useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';
import { CopyButton } from '../copy-button';
import { useListing } from '../use-listing';
import { formatDateTime } from '../format';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';
import { useProjectRights } from './feedback.page';

const SCOPES: Array<{ scope: ApiKeyScope; label: string; allows: string }> = [
  { scope: 'read', label: 'Read', allows: 'Reads what a viewer sees: sessions, pages, heatmaps, funnels, experiments, feedback and the dashboard.' },
  { scope: 'write', label: 'Write', allows: 'Also changes what a member may: funnels, experiments, surveys, feedback triage and session imports.' },
  { scope: 'admin', label: 'Admin', allows: "Also changes the project's settings, privacy and retention and its API keys, and erases a person's data on request." },
];
const SCOPE_NAMES = Object.fromEntries(SCOPES.map((s) => [s.scope, s.label])) as Record<ApiKeyScope, string>;

/** Settings › API keys: keys for scripts and other systems, each limited to this project and a scope. */
export function ApiKeysPage() {
  const project = useProject();
  const { canAdmin } = useProjectRights(project);
  useDocumentTitle('API keys', 'Settings', project.name);
  return (
    <>
      <PageHeading description="Keys let scripts and other systems use the Loupe API for this project only, as Authorization: Bearer. Each has a scope that limits what it may do.">API keys</PageHeading>
      {canAdmin ? (
        <ApiKeys project={project} />
      ) : (
        <section className="panel" aria-labelledby="api-keys-restricted">
          <h2 id="api-keys-restricted">Not available with your role</h2>
          <p className="muted">Only admins and owners of the organization can see, create and revoke this project&apos;s API keys. Ask one of them for a key.</p>
        </section>
      )}
    </>
  );
}

function ApiKeys({ project }: { project: Project }) {
  const id = useId();
  const base = `/api/v1/projects/${project.id}/api-keys`;
  const { items: keys, message: listMessage, setMessage: setListMessage, reload: load } = useListing(base, (r: { apiKeys: ApiKey[] }) => r.apiKeys);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [made, setMade] = useState<{ apiKey: ApiKey; secret: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setMade(null);
    try {
      setMade(await apiRequest<{ apiKey: ApiKey; secret: string }>(base, { body: { name, scope } }));
      setName('');
      void load();
    } catch (err) {
      setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke the API key "${key.name}"? Whatever uses it is refused from now on.`)) return;
    setListMessage(null);
    try {
      await apiRequest(`${base}/${key.id}`, { method: 'DELETE' });
      if (made?.apiKey.id === key.id) setMade(null);
      setListMessage({ error: false, text: `The key "${key.name}" was revoked.` });
      await load();
    } catch (err) {
      setListMessage({ error: true, text: messageOf(err) });
    }
  }

  // An example the person can paste into a terminal as it is.
  const example = made ? `curl -H "Authorization: Bearer ${made.secret}" "${window.location.origin}/api/v1/sessions?project=${project.id}"` : '';
  return (
    <>
      <section className="panel" aria-labelledby={`${id}-create`}>
        <h2 id={`${id}-create`}>Create an API key</h2>
        <form className="form" onSubmit={submit}>
          {formError && (
            <p className="alert" role="alert">
              {formError}
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={`${id}-name-help`} />
            <p className="field-help" id={`${id}-name-help`}>
              What uses the key, such as &ldquo;Nightly BI export&rdquo;: the audit log and the list below show it.
            </p>
          </div>
          <fieldset className="field">
            <legend>Scope</legend>
            {SCOPES.map((s) => (
              <div key={s.scope} className="choice">
                <input
                  id={`${id}-scope-${s.scope}`}
                  type="radio"
                  name={`${id}-scope`}
                  value={s.scope}
                  checked={scope === s.scope}
                  onChange={() => setScope(s.scope)}
                  aria-describedby={`${id}-scope-${s.scope}-help`}
                />
                <div>
                  <label htmlFor={`${id}-scope-${s.scope}`}>{s.label}</label>
                  <p className="field-help" id={`${id}-scope-${s.scope}-help`}>
                    {s.allows}
                  </p>
                </div>
              </div>
            ))}
          </fieldset>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create API key'}
          </button>
        </form>
        {made && (
          <div className="secret-once" role="region" aria-label="New API key">
            <label htmlFor={`${id}-secret`}>Secret of &ldquo;{made.apiKey.name}&rdquo;</label>
            <input id={`${id}-secret`} readOnly value={made.secret} onFocus={(e) => e.target.select()} aria-describedby={`${id}-secret-help`} />
            <p className="field-help" id={`${id}-secret-help`}>
              Shown only now: Loupe keeps only a hash of it and cannot show it again. Copy it to where it will be used; if it is lost, create another key and revoke this one.
            </p>
            <CopyButton text={made.secret} label="Copy secret" what="the secret" />
            <p className="small">For example:</p>
            <pre className="snippet-code">
              <code>{example}</code>
            </pre>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>Keys of this project</h2>
        {listMessage && (
          <p className={listMessage.error ? 'alert' : 'muted'} role={listMessage.error ? 'alert' : 'status'}>
            {listMessage.text}
          </p>
        )}
        {keys?.length === 0 && <p className="muted">No API key yet.</p>}
        {keys && keys.length > 0 && (
          <div className="table-scroll">
            <table className="settings-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} data-key={k.prefix}>
                    <td>{k.name}</td>
                    <td>{SCOPE_NAMES[k.scope]}</td>
                    <td>
                      <code className="key">{k.prefix}…</code>
                    </td>
                    <td>
                      <time dateTime={k.createdAt}>{formatDateTime(k.createdAt)}</time>
                    </td>
                    <td>{k.lastUsedAt ? <time dateTime={k.lastUsedAt}>{formatDateTime(k.lastUsedAt)}</time> : <span className="muted">Never</span>}</td>
                    <td>
                      {k.revokedAt ? (
                        <>
                          Revoked <time dateTime={k.revokedAt}>{formatDateTime(k.revokedAt)}</time>
                        </>
                      ) : (
                        <button type="button" className="button button-small" onClick={() => void revoke(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
