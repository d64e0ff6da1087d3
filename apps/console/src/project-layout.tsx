import { useEffect } from 'react';
import { Link, Navigate, Outlet, useParams } from 'react-router';
import { AppShell } from './app-shell';
import { LoadingScreen } from './auth';
import { EmptyState, PageHeading, useDocumentTitle } from './page';
import { CreateProjectForm } from './pages/settings.page';
import { rememberedProjectId, rememberProject, useProjects } from './projects';

/** `/`: opens the project used last in this browser, or the first one. */
export function ProjectHome() {
  const { state } = useProjects();
  if (state.status !== 'ready') return <ProjectsNotReady />;
  const remembered = rememberedProjectId();
  const project = state.projects.find((p) => p.id === remembered) ?? state.projects[0];
  if (project) return <Navigate to={`/p/${project.id}/sessions`} replace />;
  return (
    <AppShell project={null}>
      <NoProjectYet />
    </AppShell>
  );
}

/** `/p/:projectId/*`: the shell around one project's pages, which read it with `useProject()`. */
export function ProjectLayout() {
  const { projectId } = useParams();
  const { state } = useProjects();
  const project = state.status === 'ready' ? state.projects.find((p) => p.id === projectId) : undefined;

  useEffect(() => {
    if (project) rememberProject(project.id);
  }, [project]);

  if (state.status !== 'ready') return <ProjectsNotReady />;
  if (!project) {
    return (
      <AppShell project={null}>
        <ProjectNotFound />
      </AppShell>
    );
  }
  return (
    <AppShell project={project}>
      <Outlet context={project} />
    </AppShell>
  );
}

function ProjectsNotReady() {
  const { state, reload } = useProjects();
  if (state.status !== 'failed') return <LoadingScreen label="Loading your projects…" />;
  return (
    <AppShell project={null}>
      <PageHeading>Your projects could not be loaded</PageHeading>
      <p className="alert" role="alert">
        {state.message}
      </p>
      <button type="button" className="button" onClick={reload}>
        Try again
      </button>
    </AppShell>
  );
}

function NoProjectYet() {
  useDocumentTitle('Welcome');
  return (
    <>
      <PageHeading description="A project holds the recordings of one site. Create one to get the snippet to install.">Welcome to Loupe</PageHeading>
      <CreateProjectForm first />
    </>
  );
}

function ProjectNotFound() {
  useDocumentTitle('Project not found');
  return (
    <>
      <PageHeading>Project not found</PageHeading>
      <EmptyState title="This project is not available">
        <p>It may have been deleted, or it belongs to an organization you are not a member of.</p>
        <p>
          <Link to="/">Open one of your projects</Link>
        </p>
      </EmptyState>
    </>
  );
}

export function PageNotFound() {
  useDocumentTitle('Page not found');
  return (
    <AppShell project={null}>
      <PageHeading>Page not found</PageHeading>
      <p>There is no page at this address.</p>
      <p>
        <Link to="/">Go to your projects</Link>
      </p>
    </AppShell>
  );
}
