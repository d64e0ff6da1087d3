import type { Project } from '@loupe/contracts';
import { useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';
import { plural } from '../format';

/** What `GET /api/v1/people/:id` answers: one document of everything held about the person. */
interface PersonExport {
  person: string;
  sessions: unknown[];
  recordings: unknown[];
  events: unknown[];
  signals: unknown[];
  pageViews: unknown[];
  feedback: unknown[];
  feedbackNotes: unknown[];
  surveyImpressions: unknown[];
  exposures: unknown[];
}

const HELD: Array<[keyof PersonExport, string]> = [
  ['sessions', 'session'],
  ['events', 'event'],
  ['pageViews', 'page view'],
  ['signals', 'frustration signal'],
  ['exposures', 'experiment exposure'],
  ['feedback', 'survey answer'],
  ['surveyImpressions', 'survey impression'],
];

const DELETED_LABELS: Record<string, string> = {
  sessions: 'session',
  chunks: 'recorded chunk',
  events: 'event',
  signals: 'frustration signal',
  pageViews: 'page view',
  feedback: 'survey answer',
  feedbackNotes: 'note',
  surveyImpressions: 'survey impression',
  heatmapContributions: 'heatmap contribution',
};

/**
 * Data subject requests from the console: find everything held about one person (the id the site
 * gave `Loupe.identify`, or a visitor id), hand it over as one JSON file, and erase it on request.
 */
export function PeopleData({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const [personId, setPersonId] = useState('');
  const [found, setFound] = useState<PersonExport | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const url = (person: string) => `/api/v1/people/${encodeURIComponent(person)}?project=${project.id}`;

  async function find(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    setFound(null);
    try {
      setFound(await apiRequest<PersonExport>(url(personId.trim())));
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  function download(data: PersonExport) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    link.download = `loupe-person-${data.person.replace(/[^A-Za-z0-9_-]+/g, '_')}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  async function erase(data: PersonExport) {
    if (!window.confirm(`Delete everything about ${data.person} in ${project.name}? Their sessions, recordings, events and answers go for good.`)) return;
    setBusy(true);
    setMessage(null);
    try {
      const { deleted } = await apiRequest<{ deleted: Record<string, number> }>(url(data.person), { method: 'DELETE' });
      // Sessions first, then what hung off them, whatever order the server listed them in.
      const order = [...Object.keys(DELETED_LABELS), ...Object.keys(deleted).filter((k) => !(k in DELETED_LABELS))];
      const parts = order.filter((k) => (deleted[k] ?? 0) > 0).map((k) => plural(deleted[k] ?? 0, DELETED_LABELS[k] ?? k));
      setFound(null);
      setMessage({ error: false, text: `Deleted ${parts.length ? parts.join(', ') : 'nothing: nothing was held'} about ${data.person}. The audit log records it.` });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  const nothing = found && HELD.every(([k]) => found[k].length === 0);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>A person&apos;s data</h2>
      <p className="muted">
        For requests to see or erase what is held about someone: give the user id your site passes to <code>Loupe.identify</code>, or their visitor id (<code>Loupe.getVisitorId()</code>).
      </p>
      <form className="form" onSubmit={find}>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-person`}>User or visitor ID</label>
          <input id={`${id}-person`} value={personId} required maxLength={100} onChange={(e) => setPersonId(e.target.value)} placeholder="customer-42" />
        </div>
        <div>
          <button type="submit" className="button" disabled={busy || !personId.trim()}>
            Find
          </button>
        </div>
      </form>
      {found && (
        <div className="person-found" role="region" aria-label={`Data held about ${found.person}`}>
          {nothing ? (
            <p>Nothing is held about {found.person} in this project.</p>
          ) : (
            <>
              <p>Held about {found.person}:</p>
              <ul className="plain-list">
                {HELD.filter(([k]) => found[k].length > 0).map(([k, label]) => (
                  <li key={k}>{plural(found[k].length, label)}</li>
                ))}
              </ul>
              <div className="button-row">
                <button type="button" className="button" onClick={() => download(found)}>
                  Download as JSON
                </button>
                {canAdmin ? (
                  <button type="button" className="button button-danger" disabled={busy} onClick={() => void erase(found)}>
                    Delete everything about {found.person}
                  </button>
                ) : (
                  <span className="muted small">Only admins and owners can erase it.</span>
                )}
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}
