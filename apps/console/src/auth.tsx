import type { CurrentUser, LoginRequest } from '@loupe/contracts';
import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { apiRequest, ApiRequestError, whenSignedOut } from './api';

type AuthState =
  | { status: 'checking' }
  /** `byChoice`: the person logged out, so there is no page to bring them back to afterwards. */
  | { status: 'signed-out'; byChoice?: boolean }
  | { status: 'signed-in'; user: CurrentUser };

interface Auth {
  state: AuthState;
  logIn(credentials: LoginRequest): Promise<CurrentUser>;
  logOut(): Promise<void>;
  /** Reads the login's user again: after a rename or a role change, every page shows the new one. */
  refresh(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'checking' });

  useEffect(() => {
    const controller = new AbortController();
    apiRequest<{ user: CurrentUser }>('/api/v1/auth/me', { signal: controller.signal, unauthorizedIsAnswer: true })
      .then(({ user }) => setState({ status: 'signed-in', user }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        // Without an answer we cannot tell; the login page is where a person can act on it.
        if (!(err instanceof ApiRequestError) || err.status !== 401) console.warn(err);
        setState({ status: 'signed-out' });
      });
    whenSignedOut(() => setState({ status: 'signed-out' }));
    return () => {
      controller.abort();
      whenSignedOut(null);
    };
  }, []);

  const logIn = useCallback(async (credentials: LoginRequest) => {
    const { user } = await apiRequest<{ user: CurrentUser }>('/api/v1/auth/login', { body: credentials, unauthorizedIsAnswer: true });
    setState({ status: 'signed-in', user });
    return user;
  }, []);

  const logOut = useCallback(async () => {
    try {
      await apiRequest<void>('/api/v1/auth/logout', { method: 'POST', unauthorizedIsAnswer: true });
    } finally {
      // Even if the server is unreachable the person asked to leave; the console forgets them.
      setState({ status: 'signed-out', byChoice: true });
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      const { user } = await apiRequest<{ user: CurrentUser }>('/api/v1/auth/me');
      setState({ status: 'signed-in', user });
    } catch {
      // A 401 has already sent the person to log in; anything else leaves what is shown as it was.
    }
  }, []);

  const value = useMemo(() => ({ state, logIn, logOut, refresh }), [state, logIn, logOut, refresh]);
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): Auth {
  const auth = use(AuthContext);
  if (!auth) throw new Error('useAuth must be used inside <AuthProvider>.');
  return auth;
}

export function useCurrentUser(): CurrentUser {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useCurrentUser must be used on pages behind <RequireSignIn>.');
  return state.user;
}

/** Where the login page sends a person afterwards: only paths of this console, never another site. */
export function safeReturnPath(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/';
}

export function RequireSignIn({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'checking') return <LoadingScreen />;
  if (state.status === 'signed-out') {
    const here = location.pathname + location.search + location.hash;
    const search = here === '/' || state.byChoice ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`/login${search}`} replace />;
  }
  return children;
}

export function LoadingScreen({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading-screen" role="status">
      {label}
    </div>
  );
}
