import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, Outlet } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { AuthProvider, LoadingScreen, RequireSignIn } from './auth';
import { LoginPage } from './pages/login.page';
import { loadPlayerPage, PlayerRoute } from './pages/player.route';
import { FeedbackPage } from './pages/feedback.page';
import { PagesPage } from './pages/pages.page';
import { ExperimentsPage, FunnelsPage } from './pages/section.pages';
import { HeatmapsPage } from './pages/heatmaps.page';
import { SessionsPage } from './pages/sessions.page';
import { QueuesPage } from './pages/queues.page';
import { SettingsPage } from './pages/settings.page';
import { PageNotFound, ProjectHome, ProjectLayout } from './project-layout';
import { prefetch, sessionDetailPath } from './player/prefetch';
import { ProjectsProvider } from './projects';

// Opening a replay directly: its code and the session load while the login and projects are being checked.
const replayLink = /^\/p\/([^/]+)\/sessions\/([^/]+)\/?$/.exec(window.location.pathname);
if (replayLink?.[1] && replayLink[2]) {
  void loadPlayerPage().catch(() => undefined);
  prefetch(sessionDetailPath(decodeURIComponent(replayLink[1]), decodeURIComponent(replayLink[2])));
}

// The Dashboard's charts (recharts) load with it, not with the rest of the console.
const DashboardPage = lazy(() => import('./pages/dashboard.page'));

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    element: (
      <RequireSignIn>
        <ProjectsProvider>
          <Outlet />
        </ProjectsProvider>
      </RequireSignIn>
    ),
    children: [
      { index: true, element: <ProjectHome /> },
      {
        path: 'p/:projectId',
        element: <ProjectLayout />,
        children: [
          { index: true, element: <Navigate to="sessions" replace /> },
          { path: 'sessions', element: <SessionsPage /> },
          { path: 'sessions/:sessionId', element: <PlayerRoute /> },
          { path: 'pages', element: <PagesPage /> },
          { path: 'heatmaps', element: <HeatmapsPage /> },
          { path: 'funnels', element: <FunnelsPage /> },
          { path: 'experiments', element: <ExperimentsPage /> },
          { path: 'feedback', element: <FeedbackPage /> },
          {
            path: 'dashboard',
            element: (
              <Suspense fallback={<LoadingScreen label="Loading the dashboard…" />}>
                <DashboardPage />
              </Suspense>
            ),
          },
          { path: 'settings', element: <SettingsPage /> },
          { path: 'settings/queues', element: <QueuesPage /> },
        ],
      },
      { path: '*', element: <PageNotFound /> },
    ],
  },
]);

export function App() {
  return (
    <AuthProvider>
      <RouterProvider router={router} />
    </AuthProvider>
  );
}
