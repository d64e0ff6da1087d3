import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { messageOf } from '../api';
import { LoadingScreen, safeReturnPath, useAuth } from '../auth';
import { useDocumentTitle } from '../page';

export function LoginPage() {
  const { state, logIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeReturnPath(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  useDocumentTitle('Log in');

  useEffect(() => {
    // Moving focus to the message makes screen readers announce it and puts the person back at the
    // top of the form to fix what it says.
    if (error) errorRef.current?.focus();
  }, [error]);

  if (state.status === 'checking') return <LoadingScreen />;
  if (state.status === 'signed-in' && !submitting) return <Navigate to={next} replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await logIn({ email, password });
      navigate(next, { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setSubmitting(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <p className="brand brand-large" aria-hidden="true">
          Loupe
        </p>
        <h1 id="login-title">Log in to Loupe</h1>
        <p className="muted">Watch how people use your site, and find where they struggle.</p>
        {error && (
          <p className="alert" role="alert" tabIndex={-1} ref={errorRef} id="login-error">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby={error ? 'login-error' : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={error ? 'login-error' : undefined}
          />
        </div>
        <button type="submit" className="button button-primary button-block" disabled={submitting}>
          {submitting ? 'Logging in…' : 'Log in'}
        </button>
        <p className="login-aside">
          <Link to="/reset-password">Forgot your password?</Link>
        </p>
      </form>
    </main>
  );
}
