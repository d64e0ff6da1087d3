import type { FailedJob, FailedJobList, QueueList, QueueName, QueueSummary, RetriedJobs } from '@loupe/contracts';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { apiRequest, ApiRequestError, messageOf } from '../api';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

const COUNTED: Array<keyof QueueSummary['counts']> = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'];

/** Whether the signed-in person administers this installation: they see its queues. */
export function useInstanceAdmin(): boolean {
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    apiRequest<QueueList>('/api/v1/admin/queues', { signal: controller.signal })
      .then(() => setAdmin(true))
      .catch(() => setAdmin(false));
    return () => controller.abort();
  }, []);
  return admin;
}

/** Settings › Queues: the jobs of every organization, for the administrators of this installation. */
export function QueuesPage() {
  const project = useProject();
  useDocumentTitle('Queues', 'Settings', project.name);
  const [queues, setQueues] = useState<QueueSummary[] | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const [open, setOpen] = useState<QueueName | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const list = await apiRequest<QueueList>('/api/v1/admin/queues', { signal });
      setQueues(list.queues);
      setError(null);
    } catch (err) {
      if (signal?.aborted) return;
      setError({ status: err instanceof ApiRequestError ? err.status : 0, message: messageOf(err) });
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    // Counts move while jobs run: refreshed every 5 s while the page is open.
    const timer = setInterval(() => void load(controller.signal), 5000);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [load]);

  return (
    <>
      <Link className="back-link" to={`/p/${project.id}/settings`}>
        ← Settings
      </Link>
      <PageHeading description="The jobs Loupe runs in the background for every organization of this installation: how many wait, run and failed, and failed jobs to retry once their cause is fixed.">Queues</PageHeading>
      {error && (
        <p className="alert" role="alert">
          {error.message}
        </p>
      )}
      {error?.status !== 403 && queues && (
        <section className="panel" aria-labelledby="queue-counts">
          <h2 id="queue-counts">Jobs by queue</h2>
          <div className="table-scroll">
            <table className="sessions-table queue-table">
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  {COUNTED.map((state) => (
                    <th scope="col" className="num" key={state}>
                      {state[0]!.toUpperCase() + state.slice(1)}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="visually-hidden">Failed jobs</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {queues.map((q) => (
                  <tr key={q.name} data-queue={q.name}>
                    <th scope="row">
                      <strong>{q.name}</strong>
                      <div className="cell-sub">{q.description}</div>
                    </th>
                    {COUNTED.map((state) => (
                      <td className="num" key={state} data-state={state}>
                        {q.counts[state].toLocaleString()}
                      </td>
                    ))}
                    <td>
                      {q.counts.failed > 0 && (
                        <button type="button" className="button button-small" aria-expanded={open === q.name} onClick={() => setOpen(open === q.name ? null : q.name)}>
                          {open === q.name ? 'Hide failed' : `Show failed (${q.counts.failed})`}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {open && error?.status !== 403 && <FailedJobs key={open} queue={open} onChange={() => void load()} />}
    </>
  );
}

function FailedJobs({ queue, onChange }: { queue: QueueName; onChange: () => void }) {
  const [list, setList] = useState<FailedJobList | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setList(await apiRequest<FailedJobList>(`/api/v1/admin/queues/${queue}/failed?limit=50`));
    } catch (err) {
      setError(messageOf(err));
    }
  }, [queue]);
  useEffect(() => void load(), [load]);

  async function retry(path: string) {
    setBusy(true);
    setError(null);
    try {
      const { retried } = await apiRequest<RetriedJobs>(`/api/v1/admin/queues/${queue}/failed/${path}`, { method: 'POST' });
      setNote(retried === 1 ? '1 job is waiting to run again.' : `${retried} jobs are waiting to run again.`);
      await load();
      onChange();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="failed-jobs">
      <h2 id="failed-jobs">Failed jobs in {queue}</h2>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      {list && list.jobs.length === 0 && <p className="muted">No failed jobs in this queue.</p>}
      {list && list.jobs.length > 0 && (
        <>
          <p>
            {list.total > list.jobs.length ? `The ${list.jobs.length} most recent of ${list.total} failed jobs. ` : ''}A job is tried 5 times before it is listed here; retry once the
            error's cause is fixed.
          </p>
          <button type="button" className="button" disabled={busy} onClick={() => void retry('retry')}>
            Retry all {list.total} failed jobs
          </button>
          <ul className="plain-list failed-jobs">
            {list.jobs.map((job) => (
              <FailedJobItem key={job.id} job={job} busy={busy} onRetry={() => void retry(`${encodeURIComponent(job.id)}/retry`)} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function FailedJobItem({ job, busy, onRetry }: { job: FailedJob; busy: boolean; onRetry: () => void }) {
  return (
    <li className="failed-job">
      <div>
        <strong>{job.name}</strong> <code className="cell-sub">{job.id}</code>
      </div>
      <p className="failed-job-error">{job.error}</p>
      <p className="muted small">
        {job.attempts} {job.attempts === 1 ? 'attempt' : 'attempts'}
        {job.failedAt ? <>, last failed <time dateTime={job.failedAt}>{new Date(job.failedAt).toLocaleString()}</time></> : null}
      </p>
      <button type="button" className="button button-small" disabled={busy} onClick={onRetry} aria-label={`Retry job ${job.id}`}>
        Retry
      </button>
    </li>
  );
}
