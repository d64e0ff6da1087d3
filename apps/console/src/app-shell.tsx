import type { Project } from '@loupe/contracts';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useMatch, useNavigate } from 'react-router';
import { useAuth, useCurrentUser } from './auth';
import { rememberProject, useProjects } from './projects';

/** The sections of a project, in the order of the side navigation. */
export const SECTIONS = [
  { path: 'sessions', label: 'Sessions' },
  { path: 'pages', label: 'Pages' },
  { path: 'heatmaps', label: 'Heatmaps' },
  { path: 'funnels', label: 'Funnels' },
  { path: 'journeys', label: 'Journeys' },
  { path: 'experiments', label: 'Experiments' },
  { path: 'feedback', label: 'Feedback' },
  { path: 'dashboard', label: 'Dashboard' },
  { path: 'settings', label: 'Settings' },
] as const;

/** Header and navigation around every signed-in page; `project` is null until one exists or is found. */
export function AppShell({ project, children }: { project: Project | null; children: ReactNode }) {
  const navRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();

  useEffect(() => {
    // On narrow screens the navigation is a row that scrolls sideways; keep the open section in view.
    const nav = navRef.current;
    const current = nav?.querySelector('[aria-current="page"]');
    if (!nav || !current || nav.scrollWidth <= nav.clientWidth) return;
    const box = nav.getBoundingClientRect();
    const link = current.getBoundingClientRect();
    if (link.left < box.left) nav.scrollLeft -= box.left - link.left + 8;
    else if (link.right > box.right) nav.scrollLeft += link.right - box.right + 8;
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader project={project} />
      <div className={project ? 'shell-body' : 'shell-body shell-body-single'}>
        {project && (
          <nav className="side-nav" aria-label="Project sections" ref={navRef}>
            <ul>
              {SECTIONS.map((s) => (
                <li key={s.path}>
                  <NavLink to={`/p/${project.id}/${s.path}`}>{s.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

function AppHeader({ project }: { project: Project | null }) {
  const user = useCurrentUser();
  const { logOut } = useAuth();
  const [leaving, setLeaving] = useState(false);

  return (
    <header className="app-header">
      <Link className="brand" to="/">
        Loupe
      </Link>
      <ProjectSwitcher current={project} />
      <div className="account">
        <span className="account-email" title={user.email}>
          {user.email}
        </span>
        <button
          type="button"
          className="button button-small"
          disabled={leaving}
          onClick={() => {
            setLeaving(true);
            void logOut();
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}

function ProjectSwitcher({ current }: { current: Project | null }) {
  const { state } = useProjects();
  const navigate = useNavigate();
  // Switching keeps the person on the same kind of page, e.g. from one project's funnels to another's.
  const section = useMatch('/p/:projectId/:section/*')?.params.section ?? 'sessions';
  if (state.status !== 'ready' || state.projects.length === 0) return <div className="project-switcher" />;

  const organizations = new Set(state.projects.map((p) => p.organizationId));
  return (
    <div className="project-switcher">
      <label htmlFor="project-switcher">Project</label>
      <select id="project-switcher" value={current?.id ?? ''} onChange={(e) => {
          // Remembered on the choice itself, not once the page has rendered: a reload right after
          // switching must come back to the project just chosen.
          rememberProject(e.target.value);
          navigate(`/p/${e.target.value}/${section}`);
        }}>
        {!current && (
          <option value="" disabled>
            Choose a project
          </option>
        )}
        {organizations.size > 1 ? <GroupedOptions projects={state.projects} /> : state.projects.map((p) => <ProjectOption key={p.id} project={p} />)}
      </select>
    </div>
  );
}

function GroupedOptions({ projects }: { projects: Project[] }) {
  const { organizations } = useCurrentUser();
  const nameOf = (id: string) => organizations.find((o) => o.id === id)?.name ?? 'Other organization';
  const groups = new Map<string, Project[]>();
  for (const p of projects) groups.set(p.organizationId, [...(groups.get(p.organizationId) ?? []), p]);
  return [...groups].map(([orgId, list]) => (
    <optgroup key={orgId} label={nameOf(orgId)}>
      {list.map((p) => (
        <ProjectOption key={p.id} project={p} />
      ))}
    </optgroup>
  ));
}

const ProjectOption = ({ project }: { project: Project }) => <option value={project.id}>{project.name}</option>;
