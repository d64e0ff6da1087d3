import type { Project, ProjectSettings } from '@loupe/contracts';
import { useId, type FormEvent } from 'react';
import { useSettingsForm } from '../settings-form';

type Integrations = ProjectSettings['integrations'];

const MODES: Array<[Integrations['forwardFeedback'], string]> = [
  ['off', 'Do not forward answers'],
  ['all', 'Forward every new answer'],
  ['detractors', 'Forward detractors only (the low end of each scale)'],
];

/** Where new answers are posted (a Slack incoming webhook, or anything that takes Slack's JSON). Admins change it. */
export function Forwarding({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const { form, setForm, busy, message, save } = useSettingsForm(project.id, 'integrations', (s) => ({ url: s.integrations.webhookUrl ?? '', mode: s.integrations.forwardFeedback }));
  const saved = form !== null;
  const { url, mode } = form ?? { url: '', mode: 'off' as Integrations['forwardFeedback'] };
  const setUrl = (v: string) => form && setForm({ ...form, url: v });
  const setMode = (v: Integrations['forwardFeedback']) => form && setForm({ ...form, mode: v });

  async function submit(e: FormEvent) {
    e.preventDefault();
    await save({ integrations: { webhookUrl: url.trim() || null, forwardFeedback: mode } }, 'Saved.');
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Forward answers to a webhook</h2>
      <p className="muted">
        Each new answer is posted as Slack-compatible JSON (<code>text</code> and <code>blocks</code>) from a background job, retried for about a minute if the webhook does not answer.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change this.</p>}
      <form className="form" onSubmit={submit}>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-url`}>Webhook URL</label>
          <input id={`${id}-url`} type="url" value={url} disabled={!canAdmin || !saved} placeholder="https://hooks.slack.com/services/…" onChange={(e) => setUrl(e.target.value)} aria-describedby={`${id}-url-help`} />
          <p className="field-help" id={`${id}-url-help`}>
            http:// or https:// only.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-mode`}>What to forward</label>
          <select id={`${id}-mode`} value={mode} disabled={!canAdmin || !saved} onChange={(e) => setMode(e.target.value as Integrations['forwardFeedback'])}>
            {MODES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !saved}>
              Save
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
