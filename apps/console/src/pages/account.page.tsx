import { useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';
import { useAuth, useCurrentUser } from '../auth';
import { plural } from '../format';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

/** Settings › Your account: the password and the logins of the person using the console. */
export function AccountPage() {
  const project = useProject();
  const user = useCurrentUser();
  useDocumentTitle('Your account', 'Settings', project.name);
  return (
    <>
      <PageHeading description={`You are logged in as ${user.name ? `${user.name} (${user.email})` : user.email}.`}>Your account</PageHeading>
      <ChangePassword />
      <LogOutEverywhere />
    </>
  );
}

function ChangePassword() {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== confirm) return setMessage({ error: true, text: 'The new password and its confirmation differ: type the same password twice.' });
    if (next.length < 10) return setMessage({ error: true, text: 'The new password must be at least 10 characters long.' });
    setBusy(true);
    setMessage(null);
    try {
      const { endedSessions } = await apiRequest<{ endedSessions: number }>('/api/v1/auth/password', { body: { currentPassword: current, newPassword: next } });
      setCurrent('');
      setNext('');
      setConfirm('');
      setMessage({
        error: false,
        text: `Password changed. ${endedSessions === 0 ? 'You were not logged in anywhere else.' : `${plural(endedSessions, 'other login')} ended: log in there again with the new password.`}`,
      });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Change your password</h2>
      <p className="muted">Every other login of your account ends; this one stays.</p>
      <form className="form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-current`}>Current password</label>
          <input id={`${id}-current`} type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-new`}>New password</label>
          <input id={`${id}-new`} type="password" autoComplete="new-password" required minLength={10} value={next} onChange={(e) => setNext(e.target.value)} aria-describedby={`${id}-new-help`} />
          <p className="field-help" id={`${id}-new-help`}>
            At least 10 characters.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-confirm`}>Confirm the new password</label>
          <input id={`${id}-confirm`} type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

function LogOutEverywhere() {
  const id = useId();
  const { logOut } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function leave() {
    if (!window.confirm('Log out everywhere? Every login of your account ends, on every device, this one included.')) return;
    setBusy(true);
    setError(null);
    try {
      await apiRequest('/api/v1/auth/logout-everywhere', { method: 'POST' });
      // The login is gone on the server already; this makes the console forget it and open the login page.
      await logOut();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Log out everywhere</h2>
      <p className="muted">For a lost device or a browser you forgot to log out of: ends every login of your account, this one included.</p>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button" disabled={busy} onClick={() => void leave()}>
        Log out everywhere
      </button>
    </section>
  );
}
