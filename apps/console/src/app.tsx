import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, Outlet } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { AuthProvider, LoadingScreen, RequireSignIn } from './auth';
import { LoginPage } from './pages/login.page';
import { ChooseNewPasswordPage, ForgotPasswordPage } from './pages/password-reset.page';
import { loadPlayerPage, PlayerRoute } from './pages/player.route';
import { FeedbackPage } from './pages/feedback.page';
import { PagesPage } from './pages/pages.page';
import { HeatmapsPage } from './pages/heatmaps.page';
import { SessionsPage } from './pages/sessions.page';
import { QueuesPage } from './pages/queues.page';
import { ProjectSettingsPage } from './pages/settings.page';
import { SettingsLayout } from './pages/settings-layout';
import { MembersPage } from './pages/members.page';
import { ApiKeysPage } from './pages/api-keys.page';
import { AuditLogPage } from './pages/audit-log.page';
import { AccountPage } from './pages/account.page';
import { InvitationPage } from './pages/invitation.page';
import { IntegrationsPage } from './pages/integrations.page';
import { SignalSettingsPage } from './pages/signal-settings.page';
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
// So do the Experiments pages' (the forest plots and the cumulative chart).
const ExperimentsListPage = lazy(() => import('./pages/experiments.page').then((m) => ({ default: m.ExperimentsListPage })));
const ExperimentPage = lazy(() => import('./pages/experiments.page').then((m) => ({ default: m.ExperimentPage })));
const loadingExperiments = <LoadingScreen label="Loading the experiments…" />;
const FunnelsPage = lazy(() => import('./pages/funnels.page'));
const JourneysPage = lazy(() => import('./pages/journeys.page'));

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/reset-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password/:token', element: <ChooseNewPasswordPage /> },
  // Opened by people who may not have an account yet: the page itself offers to make one.
  { path: '/invite/:token', element: <InvitationPage /> },
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
          {
            path: 'funnels',
            element: (
              <Suspense fallback={<LoadingScreen label="Loading funnels…" />}>
                <FunnelsPage />
              </Suspense>
            ),
          },
          {
            path: 'experiments',
            element: (
              <Suspense fallback={loadingExperiments}>
                <ExperimentsListPage />
              </Suspense>
            ),
          },
          {
            path: 'experiments/:experimentId',
            element: (
              <Suspense fallback={loadingExperiments}>
                <ExperimentPage />
              </Suspense>
            ),
          },
          {
            path: 'journeys',
            element: (
              <Suspense fallback={<LoadingScreen label="Loading journeys…" />}>
                <JourneysPage />
              </Suspense>
            ),
          },
          { path: 'feedback', element: <FeedbackPage /> },
          {
            path: 'dashboard',
            element: (
              <Suspense fallback={<LoadingScreen label="Loading the dashboard…" />}>
                <DashboardPage />
              </Suspense>
            ),
          },
          {
            path: 'settings',
            element: <SettingsLayout />,
            children: [
              { index: true, element: <ProjectSettingsPage /> },
              { path: 'members', element: <MembersPage /> },
              { path: 'api-keys', element: <ApiKeysPage /> },
              { path: 'integrations', element: <IntegrationsPage /> },
              { path: 'signals', element: <SignalSettingsPage /> },
              { path: 'audit-log', element: <AuditLogPage /> },
              { path: 'account', element: <AccountPage /> },
              { path: 'queues', element: <QueuesPage /> },
            ],
          },
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
