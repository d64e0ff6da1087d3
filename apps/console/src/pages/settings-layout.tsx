import { NavLink, Outlet } from 'react-router';
import { useProject } from '../projects';
import { useInstanceAdmin } from './queues.page';

/** The pages of Settings, in the order of their navigation; `path` is relative to `/p/:projectId/settings`. */
export const SETTINGS_PAGES = [
  { path: '', label: 'Project' },
  { path: 'members', label: 'Members' },
  { path: 'api-keys', label: 'API keys' },
  { path: 'integrations', label: 'Integrations' },
  { path: 'signals', label: 'Signals and pages' },
  { path: 'audit-log', label: 'Audit log' },
  { path: 'account', label: 'Your account' },
] as const;

/** `/p/:projectId/settings/*`: the settings' own navigation above the page that is open. */
export function SettingsLayout() {
  const project = useProject();
  const instanceAdmin = useInstanceAdmin();
  const base = `/p/${project.id}/settings`;
  return (
    <>
      <nav className="sub-nav" aria-label="Settings">
        <ul>
          {SETTINGS_PAGES.map((p) => (
            <li key={p.path}>
              {/* Exact matches only: the Project page's address is the start of every other one. */}
              <NavLink to={p.path ? `${base}/${p.path}` : base} end>
                {p.label}
              </NavLink>
            </li>
          ))}
          {instanceAdmin && (
            <li>
              <NavLink to={`${base}/queues`}>Queues</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <Outlet context={project} />
    </>
  );
}
