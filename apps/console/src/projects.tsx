import type { CreateProjectRequest, Project } from '@loupe/contracts';
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useOutletContext } from 'react-router';
import { apiRequest, messageOf } from './api';

type ProjectsState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; projects: Project[] };

interface Projects {
  state: ProjectsState;
  reload(): void;
  create(request: CreateProjectRequest): Promise<Project>;
}

const ProjectsContext = createContext<Projects | null>(null);

export function ProjectsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<ProjectsState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    const controller = new AbortController();
    apiRequest<{ projects: Project[] }>('/api/v1/projects', { signal: controller.signal })
      .then(({ projects }) => setState({ status: 'ready', projects }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', message: messageOf(err) });
      });
    return () => controller.abort();
  }, [attempt]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const create = useCallback(async (request: CreateProjectRequest) => {
    const { project } = await apiRequest<{ project: Project }>('/api/v1/projects', { body: request });
    // Added here rather than refetched, so the switcher shows the new project at once.
    if (stateRef.current.status === 'ready') {
      setState((s) => (s.status === 'ready' ? { status: 'ready', projects: [...s.projects, project] } : s));
    } else {
      setAttempt((n) => n + 1);
    }
    return project;
  }, []);

  const value = useMemo(() => ({ state, reload, create }), [state, reload, create]);
  return <ProjectsContext value={value}>{children}</ProjectsContext>;
}

export function useProjects(): Projects {
  const projects = use(ProjectsContext);
  if (!projects) throw new Error('useProjects must be used inside <ProjectsProvider>.');
  return projects;
}

/** The project chosen in the URL, for the pages rendered inside a project. */
export function useProject(): Project {
  return useOutletContext<Project>();
}

const REMEMBERED_PROJECT = 'loupe.projectId';

/** The project last opened in this browser, so that `/` brings a person back to it. */
export function rememberedProjectId(): string | null {
  try {
    return localStorage.getItem(REMEMBERED_PROJECT);
  } catch {
    // Storage can be switched off by the browser; the console then simply starts at the first project.
    return null;
  }
}

export function rememberProject(id: string): void {
  try {
    localStorage.setItem(REMEMBERED_PROJECT, id);
  } catch {
    // See rememberedProjectId.
  }
}
