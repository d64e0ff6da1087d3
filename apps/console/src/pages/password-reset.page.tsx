import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { apiRequest, ApiRequestError, messageOf } from '../api';
import { LoadingScreen, useAuth } from '../auth';
import { useDocumentTitle } from '../page';

/** "Forgot your password?": asks for a link. The answer is the same whether or not an account uses the address. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useDocumentTitle('Forgot your password?');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const { message } = await apiRequest<{ message: string }>('/api/v1/auth/password-reset', { body: { email }, unauthorizedIsAnswer: true });
      setSent(message);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="forgot-title">
        <p className="brand brand-large" aria-hidden="true">
          Loupe
        </p>
        <h1 id="forgot-title">Forgot your password?</h1>
        {sent ? (
          <p role="status">{sent}</p>
        ) : (
          <>
            <p className="muted">Give the email you log in with: a link to choose a new password will be sent to it.</p>
            {error && (
              <p className="alert" role="alert" id="forgot-error">
                {error}
              </p>
            )}
            <div className="field">
              <label htmlFor="forgot-email">Email</label>
              <input
                id="forgot-email"
                type="email"
                autoComplete="username"
                required
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                aria-describedby={error ? 'forgot-error' : undefined}
              />
            </div>
            <button type="submit" className="button button-primary button-block" disabled={submitting}>
              {submitting ? 'Sending…' : 'Send me a link'}
            </button>
          </>
        )}
        <p className="login-aside">
          <Link to="/login">Back to log in</Link>
        </p>
      </form>
    </main>
  );
}

type LinkState = { status: 'checking' } | { status: 'usable'; email: string } | { status: 'unusable'; message: string };

/** Where a reset link lands: choose the new password, then straight into the console. */
export function ChooseNewPasswordPage() {
  const { token = '' } = useParams();
  const { logIn } = useAuth();
  const navigate = useNavigate();
  const [link, setLink] = useState<LinkState>({ status: 'checking' });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useDocumentTitle('Choose a new password');

  useEffect(() => {
    const controller = new AbortController();
    apiRequest<{ reset: { email: string } }>(`/api/v1/auth/password-reset/${encodeURIComponent(token)}`, { signal: controller.signal, unauthorizedIsAnswer: true })
      .then(({ reset }) => setLink({ status: 'usable', email: reset.email }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLink({ status: 'unusable', message: err instanceof ApiRequestError ? err.message : messageOf(err) });
      });
    return () => controller.abort();
  }, [token]);

  if (link.status === 'checking') return <LoadingScreen label="Checking the link…" />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (link.status !== 'usable') return;
    if (password !== confirm) {
      setError('The two passwords are not the same.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await apiRequest(`/api/v1/auth/password-reset/${encodeURIComponent(token)}`, { body: { password }, unauthorizedIsAnswer: true });
      await logIn({ email: link.email, password });
      navigate('/', { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setSubmitting(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="choose-title">
        <p className="brand brand-large" aria-hidden="true">
          Loupe
        </p>
        <h1 id="choose-title">Choose a new password</h1>
        {link.status === 'unusable' ? (
          <>
            <p className="alert" role="alert">
              {link.message}
            </p>
            <p className="login-aside">
              <Link to="/reset-password">Ask for a new link</Link>
            </p>
          </>
        ) : (
          <>
            <p className="muted">
              For <strong>{link.email}</strong>. Every device logged in to this account will be logged out.
            </p>
            {error && (
              <p className="alert" role="alert" id="choose-error">
                {error}
              </p>
            )}
            <input type="email" autoComplete="username" value={link.email} readOnly hidden />
            <div className="field">
              <label htmlFor="choose-password">New password</label>
              <input
                id="choose-password"
                type="password"
                autoComplete="new-password"
                required
                minLength={10}
                autoFocus
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby="choose-help"
              />
              <p className="field-help" id="choose-help">
                At least 10 characters.
              </p>
            </div>
            <div className="field">
              <label htmlFor="choose-confirm">New password again</label>
              <input id="choose-confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
            </div>
            <button type="submit" className="button button-primary button-block" disabled={submitting}>
              {submitting ? 'Saving…' : 'Save and log in'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
