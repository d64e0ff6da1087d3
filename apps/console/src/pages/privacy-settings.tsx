import type { Project, ProjectSettings } from '@loupe/contracts';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** How long recordings are kept and what the SDK hides, for the project; admins change them. */
export function PrivacySettings({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const [loaded, setLoaded] = useState(false);
  const [days, setDays] = useState('90');
  const [maskAllText, setMaskAllText] = useState(false);
  const [maskSelectors, setMaskSelectors] = useState('');
  const [blockSelectors, setBlockSelectors] = useState('');
  const [honorDoNotTrack, setHonorDoNotTrack] = useState(false);
  const [coarseLocation, setCoarseLocation] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  function show(settings: ProjectSettings) {
    setDays(String(settings.retention.days));
    setMaskAllText(settings.privacy.maskAllText);
    setMaskSelectors(settings.privacy.maskSelectors.join('\n'));
    setBlockSelectors(settings.privacy.blockSelectors.join('\n'));
    setHonorDoNotTrack(settings.privacy.honorDoNotTrack);
    setCoarseLocation(settings.privacy.coarseLocation);
    setLoaded(true);
  }

  useEffect(() => {
    apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${project.id}/settings`)
      .then(({ settings }) => show(settings))
      .catch((err: unknown) => setMessage({ error: true, text: messageOf(err) }));
  }, [project.id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const { settings } = await apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${project.id}/settings`, {
        method: 'PATCH',
        body: {
          retention: { days: Number(days) },
          privacy: { maskAllText, maskSelectors: lines(maskSelectors), blockSelectors: lines(blockSelectors), honorDoNotTrack, coarseLocation },
        },
      });
      show(settings);
      setMessage({ error: false, text: 'Saved. Pages pick the change up within a few minutes.' });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  const off = !canAdmin || !loaded;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Privacy and retention</h2>
      <p className="muted">
        Inputs are always masked in the browser, and passwords again on the server. What is set here adds to the masking of each page&apos;s own <code>Loupe.init</code>. See docs/privacy.md.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change this.</p>}
      <form className="form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-days`}>Keep recordings for (days)</label>
          <input id={`${id}-days`} type="number" min={1} max={3650} step={1} value={days} disabled={off} onChange={(e) => setDays(e.target.value)} aria-describedby={`${id}-days-help`} />
          <p className="field-help" id={`${id}-days-help`}>
            Sessions, their events, signals, page views and survey answers older than this are deleted every night.
          </p>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={maskAllText} disabled={off} onChange={(e) => setMaskAllText(e.target.checked)} /> Mask all text of every page
          </label>
        </div>
        <div className="field">
          <label htmlFor={`${id}-mask`}>More elements to mask (CSS selectors, one per line)</label>
          <textarea id={`${id}-mask`} rows={3} value={maskSelectors} disabled={off} onChange={(e) => setMaskSelectors(e.target.value)} placeholder=".customer-name" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-block`}>Elements never recorded (CSS selectors, one per line)</label>
          <textarea id={`${id}-block`} rows={3} value={blockSelectors} disabled={off} onChange={(e) => setBlockSelectors(e.target.value)} placeholder="#chat" />
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={honorDoNotTrack} disabled={off} onChange={(e) => setHonorDoNotTrack(e.target.checked)} /> Do not record browsers that send Do Not Track or Global Privacy Control
          </label>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={coarseLocation} disabled={off} onChange={(e) => setCoarseLocation(e.target.checked)} aria-describedby={`${id}-location-help`} /> Keep each visit&apos;s country
          </label>
          <p className="field-help" id={`${id}-location-help`}>
            Two letters, as named by the proxy or CDN in front of Loupe when the installation reads its country header. Never the address, never a city.
          </p>
        </div>
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !loaded}>
              Save
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
