import type { Project } from '@loupe/contracts';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { messageOf } from '../api';
import { useCurrentUser } from '../auth';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject, useProjects } from '../projects';
import { useProjectRights } from './feedback.page';
import { PeopleData } from './people-data';
import { PrivacySettings } from './privacy-settings';
import { useInstanceAdmin } from './queues.page';

/** Settings › Project: the section's first page, so it carries the section's own heading. */
export function ProjectSettingsPage() {
  const project = useProject();
  const { canAdmin } = useProjectRights(project);
  useDocumentTitle('Settings', project.name);
  return (
    <>
      <PageHeading description="The details of this project, its privacy and retention, requests about a person's data, and new projects for other sites or environments.">Settings</PageHeading>
      <ProjectDetails project={project} />
      <PrivacySettings project={project} canAdmin={canAdmin} />
      <PeopleData project={project} canAdmin={canAdmin} />
      <CreateProjectForm />
      <InstanceAdministration projectId={project.id} />
    </>
  );
}

/** Only for the administrators of this installation: what spans every organization. */
function InstanceAdministration({ projectId }: { projectId: string }) {
  if (!useInstanceAdmin()) return null;
  return (
    <section className="panel" aria-labelledby="instance-administration">
      <h2 id="instance-administration">This Loupe installation</h2>
      <p className="muted">You administer this installation: you can see the background jobs of every organization, and retry failed ones.</p>
      <Link className="button" to={`/p/${projectId}/settings/queues`}>
        Queues
      </Link>
    </section>
  );
}

function ProjectDetails({ project }: { project: Project }) {
  return (
    <section className="panel" aria-labelledby="project-details">
      <h2 id="project-details">This project</h2>
      <dl className="details">
        <dt>Name</dt>
        <dd>{project.name}</dd>
        <dt>Public key</dt>
        <dd>
          <code className="key">{project.publicKey}</code>
          <p className="muted small">Safe to put in your pages: it can send recordings to this project and read nothing.</p>
        </dd>
        <dt>Allowed origins</dt>
        <dd>
          {project.allowedOrigins.length === 0 ? (
            <span className="muted">None: no site can send recordings yet.</span>
          ) : (
            <ul className="plain-list">
              {project.allowedOrigins.map((origin) => (
                <li key={origin}>{origin === '*' ? 'Any site (*)' : <code>{origin}</code>}</li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={project.createdAt}>{new Date(project.createdAt).toLocaleDateString(undefined, { dateStyle: 'long' })}</time>
        </dd>
      </dl>
    </section>
  );
}

const MANAGING_ROLES = new Set(['owner', 'admin']);

/** Creates a project and opens it, so that its install snippet is the next thing the person sees. */
export function CreateProjectForm({ first = false }: { first?: boolean }) {
  const { create } = useProjects();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const ids = useId();
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const managed = user.organizations.filter((o) => MANAGING_ROLES.has(o.role));
  const [organizationId, setOrganizationId] = useState(managed[0]?.id ?? '');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const title = first ? 'Create your first project' : 'Create a project';
  if (managed.length === 0) {
    return (
      <section className="panel" aria-labelledby={`${ids}-title`}>
        <h2 id={`${ids}-title`}>{title}</h2>
        <p className="muted">Only owners and admins of an organization can create projects. Ask one of them to create it or to change your role.</p>
      </section>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    const allowedOrigins = origins
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    try {
      const project = await create({
        name,
        ...(allowedOrigins.length ? { allowedOrigins } : {}),
        ...(managed.length > 1 ? { organizationId } : {}),
      });
      navigate(`/p/${project.id}/sessions`);
    } catch (err) {
      setError(messageOf(err));
      setSubmitting(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{title}</h2>
      <p className="muted">One project per site or environment keeps their recordings, keys and numbers apart.</p>
      <form onSubmit={submit} className="form">
        {error && (
          <p className="alert" role="alert" id={`${ids}-error`}>
            {error}
          </p>
        )}
        {managed.length > 1 && (
          <div className="field">
            <label htmlFor={`${ids}-org`}>Organization</label>
            <select id={`${ids}-org`} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
              {managed.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-name`}>Project name</label>
          <input
            id={`${ids}-name`}
            name="name"
            required
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={error ? `${ids}-error` : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-origins`}>
            Allowed origins <span className="muted">(optional)</span>
          </label>
          <textarea
            id={`${ids}-origins`}
            name="allowedOrigins"
            rows={2}
            placeholder="https://shop.example.com"
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
            aria-describedby={`${ids}-origins-help`}
          />
          <p className="field-help" id={`${ids}-origins-help`}>
            The sites allowed to send recordings, one per line. Leave empty to accept any site.
          </p>
        </div>
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create project'}
        </button>
      </form>
    </section>
  );
}
