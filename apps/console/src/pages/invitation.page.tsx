import type { CurrentUser, Project, Role } from '@loupe/contracts';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { apiRequest, ApiRequestError, messageOf } from '../api';
import { LoadingScreen, useAuth } from '../auth';
import { formatDateTime } from '../format';
import { useDocumentTitle } from '../page';
import { rememberProject } from '../projects';

interface Preview {
  organizationName: string;
  role: Role;
  email: string | null;
  expiresAt: string;
}

const ROLE_OFFERS: Record<Role, string> = {
  viewer: 'a viewer: you will see the recordings, pages, feedback and results of its projects',
  member: 'a member: you will see its projects and build funnels, experiments and surveys in them',
  admin: 'an admin: you will also manage its settings, API keys and people',
  owner: 'an owner: you will manage everything in it, its owners included',
};

type Load = { status: 'loading' } | { status: 'ready'; invitation: Preview } | { status: 'unusable'; message: string };

/** `/invite/:token`: what an invitation link offers, and joining with it, with or without an account. */
export function InvitationPage() {
  const { token = '' } = useParams();
  const { state, logOut } = useAuth();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  useDocumentTitle('Invitation');

  useEffect(() => {
    const controller = new AbortController();
    apiRequest<{ invitation: Preview }>(`/api/v1/invitations/${encodeURIComponent(token)}`, { signal: controller.signal, unauthorizedIsAnswer: true })
      .then(({ invitation }) => setLoad({ status: 'ready', invitation }))
      .catch((err: unknown) => !controller.signal.aborted && setLoad({ status: 'unusable', message: messageOf(err) }));
    return () => controller.abort();
  }, [token]);

  if (state.status === 'checking' || load.status === 'loading') return <LoadingScreen label="Opening the invitation…" />;

  return (
    <main className="login">
      <section className="login-card" aria-labelledby="invitation-title">
        <p className="brand brand-large" aria-hidden="true">
          Loupe
        </p>
        {load.status === 'unusable' ? (
          <>
            <h1 id="invitation-title">This invitation cannot be used</h1>
            <p className="alert" role="alert">
              {load.message}
            </p>
            <p>
              <Link to="/">{state.status === 'signed-in' ? 'Go to your projects' : 'Log in to Loupe'}</Link>
            </p>
          </>
        ) : (
          <>
            <h1 id="invitation-title">Join {load.invitation.organizationName}</h1>
            <p>
              You are invited to join {load.invitation.organizationName} on Loupe as {ROLE_OFFERS[load.invitation.role]}.
            </p>
            <p className="muted small">
              {load.invitation.email ? `The invitation is for ${load.invitation.email}. ` : ''}The link works once, until {formatDateTime(load.invitation.expiresAt)}.
            </p>
            {state.status === 'signed-in' ? (
              <JoinAsYourself token={token} invitation={load.invitation} user={state.user} logOut={logOut} />
            ) : (
              <JoinWithNewAccount token={token} invitation={load.invitation} />
            )}
          </>
        )}
      </section>
    </main>
  );
}

/**
 * Opens the organization just joined: its first project, or the screen to create one. A full load,
 * so that the console reads the login and the projects anew, the new organization included.
 */
async function openJoined(organizationId: string): Promise<void> {
  const { projects } = await apiRequest<{ projects: Project[] }>('/api/v1/projects').catch(() => ({ projects: [] as Project[] }));
  const first = projects.find((p) => p.organizationId === organizationId);
  if (first) {
    rememberProject(first.id);
    window.location.assign(`/p/${first.id}/sessions`);
  } else {
    window.location.assign(projects[0] ? `/p/${projects[0].id}/settings` : '/');
  }
}

interface JoinProps {
  token: string;
  invitation: Preview;
}

function useJoin(token: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; needsLogin: boolean } | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  async function join(body: Record<string, string>) {
    setBusy(true);
    setError(null);
    try {
      const { organizationId } = await apiRequest<{ user: CurrentUser; organizationId: string }>(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, { body, unauthorizedIsAnswer: true });
      await openJoined(organizationId);
    } catch (err) {
      // An account with this email exists: the way on is to log in, then come back to the link.
      setError({ text: messageOf(err), needsLogin: err instanceof ApiRequestError && err.status === 409 });
      setBusy(false);
    }
  }

  const message = error && (
    <div className="alert" role="alert">
      <p tabIndex={-1} ref={errorRef}>
        {error.text}
      </p>
      {error.needsLogin && (
        <p>
          <Link to={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>Log in, then come back to this invitation</Link>
        </p>
      )}
    </div>
  );
  return { busy, join, message };
}

function JoinAsYourself({ token, invitation, user, logOut }: JoinProps & { user: CurrentUser; logOut(): Promise<void> }) {
  const { busy, join, message } = useJoin(token);
  const someoneElse = invitation.email !== null && invitation.email !== user.email.toLowerCase();
  return (
    <>
      {message}
      {someoneElse ? (
        <p>
          You are logged in as {user.email}, and this invitation is for {invitation.email}. Log out, then open the link again as {invitation.email}.
        </p>
      ) : (
        <button type="button" className="button button-primary button-block" disabled={busy} onClick={() => void join({})}>
          {busy ? 'Joining…' : `Join as ${user.name || user.email}`}
        </button>
      )}
      <p className="muted small">
        Not {user.email}?{' '}
        <button type="button" className="link-button" onClick={() => void logOut()}>
          Log out
        </button>{' '}
        to join with another account.
      </p>
    </>
  );
}

function JoinWithNewAccount({ token, invitation }: JoinProps) {
  const id = useId();
  const { busy, join, message } = useJoin(token);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);

  function submit(e: FormEvent) {
    e.preventDefault();
    setMismatch(password !== confirm);
    if (password !== confirm) return;
    void join({ name, password, ...(invitation.email ? {} : { email }) });
  }

  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Create your account</h2>
      {message}
      {mismatch && (
        <p className="alert" role="alert">
          The password and its confirmation differ: type the same password twice.
        </p>
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Your name</label>
        <input id={`${id}-name`} autoComplete="name" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      {!invitation.email && (
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input id={`${id}-email`} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={`${id}-password-help`}
        />
        <p className="field-help" id={`${id}-password-help`}>
          At least 10 characters.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirm`}>Confirm the password</label>
        <input id={`${id}-confirm`} type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      </div>
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Joining…' : 'Create account and join'}
      </button>
      <p className="muted small">
        Have an account already? <Link to={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>Log in</Link>, then join as yourself.
      </p>
    </form>
  );
}
