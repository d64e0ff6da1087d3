import { AlertSettings as AlertSettingsSection, type Project, type ProjectSettings } from '@loupe/contracts';
import { useId, type FormEvent } from 'react';
import { useSettingsForm } from '../settings-form';

type Alerts = ProjectSettings['alerts'];

/** The numbers as typed, so that a field can be emptied and retyped; the server checks them on save. */
const toForm = (a: Alerts) => ({
  webhookUrl: a.webhookUrl,
  metrics: a.metrics,
  factor: String(a.factor),
  windowMinutes: String(a.windowMinutes),
  baselineDays: String(a.baselineDays),
  minViews: String(a.minViews),
  cooldownMinutes: String(a.cooldownMinutes),
});

const METRICS: Array<[Alerts['metrics'][number], string]> = [
  ['rage_click_rate', 'Rage clicks per page view'],
  ['error_rate', 'JavaScript errors per page view'],
];

/**
 * When a page's frustration rises well above its own recent level, a message goes to a chat
 * webhook. Admins set where, on what, and how sensitive; everyone else sees the settings.
 */
export function AlertSettings({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const { form, setForm, busy, message, save } = useSettingsForm(project.id, 'alerts', (s) => toForm(s.alerts));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    await save(
      {
        alerts: {
          webhookUrl: form.webhookUrl.trim(),
          metrics: form.metrics,
          factor: Number(form.factor),
          windowMinutes: Number(form.windowMinutes),
          baselineDays: Number(form.baselineDays),
          minViews: Number(form.minViews),
          cooldownMinutes: Number(form.cooldownMinutes),
        },
      },
      (settings) => (settings.alerts.webhookUrl ? 'Saved. Pages are checked every 5 minutes.' : 'Saved. Alerts are off until a webhook URL is set.'),
    );
  }

  const off = !canAdmin || !form;
  const values = form ?? toForm(AlertSettingsSection.defaults);
  const number = (key: 'factor' | 'windowMinutes' | 'baselineDays' | 'minViews' | 'cooldownMinutes', label: string, help: string, attrs: { min: number; max: number; step: number }) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} type="number" {...attrs} value={values[key]} disabled={off} onChange={(e) => setForm({ ...values, [key]: e.target.value })} aria-describedby={`${id}-${key}-help`} />
      <p className="field-help" id={`${id}-${key}-help`}>
        {help}
      </p>
    </div>
  );

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Frustration alerts</h2>
      <p className="muted">
        Every 5 minutes each page&apos;s rates over the last window are compared with the same page&apos;s rates over the days before. A page well above its own normal sends a Slack-compatible message with links to
        its sessions.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change this.</p>}
      <form className="form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-url`}>Alert webhook URL</label>
          <input
            id={`${id}-url`}
            type="url"
            value={values.webhookUrl}
            disabled={off}
            placeholder="https://hooks.slack.com/services/…"
            onChange={(e) => setForm({ ...values, webhookUrl: e.target.value })}
            aria-describedby={`${id}-url-help`}
          />
          <p className="field-help" id={`${id}-url-help`}>
            Empty turns alerts off. Addresses on a private network are refused unless the installation allows them.
          </p>
        </div>
        <fieldset className="field">
          <legend>Watch</legend>
          {METRICS.map(([metric, label]) => (
            <label key={metric} className="checkbox">
              <input
                type="checkbox"
                checked={values.metrics.includes(metric)}
                disabled={off}
                onChange={(e) => setForm({ ...values, metrics: e.target.checked ? [...values.metrics, metric] : values.metrics.filter((m) => m !== metric) })}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        {number('factor', 'Alert at this many times the usual rate', 'From 1.1 to 1000.', { min: 1.1, max: 1000, step: 0.1 })}
        {number('windowMinutes', 'Recent window (minutes)', 'The stretch compared with what is usual: 15 minutes to a day.', { min: 15, max: 1440, step: 1 })}
        {number('baselineDays', 'Usual level over (days)', 'The days before the window that say what is normal for the page.', { min: 1, max: 90, step: 1 })}
        {number('minViews', 'Page views needed', 'A page with fewer views in the window or the baseline is not judged.', { min: 1, max: 1_000_000, step: 1 })}
        {number('cooldownMinutes', 'Quiet after an alert (minutes)', 'The same page and rate stay quiet this long after alerting.', { min: 5, max: 10080, step: 1 })}
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !form}>
              Save alerts
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
