import type { Project, Survey } from '@loupe/contracts';
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import { useSearchParams } from 'react-router';
import { apiRequest, messageOf } from '../api';
import { useCurrentUser } from '../auth';
import { Forwarding } from '../feedback/forwarding';
import { Inbox } from '../feedback/inbox';
import { Surveys } from '../feedback/surveys';
import '../feedback/feedback.css';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

const TABS = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'surveys', label: 'Surveys' },
  { id: 'forwarding', label: 'Forwarding' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** What the signed-in person may do in a project: triage and build surveys (members and up), administer (admins and owners). */
export function useProjectRights(project: Project): { canWrite: boolean; canAdmin: boolean } {
  const role = useCurrentUser().organizations.find((o) => o.id === project.organizationId)?.role;
  return { canWrite: role === 'member' || role === 'admin' || role === 'owner', canAdmin: role === 'admin' || role === 'owner' };
}

export function FeedbackPage() {
  const project = useProject();
  useDocumentTitle('Feedback', project.name);
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find((t) => t.id === params.get('tab'))?.id ?? 'inbox';
  const { canWrite, canAdmin } = useProjectRights(project);
  const [surveys, setSurveys] = useState<Survey[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    apiRequest<{ surveys: Survey[] }>(`/api/v1/surveys?project=${project.id}`)
      .then((r) => setSurveys(r.surveys))
      .catch((err: unknown) => setError(messageOf(err)));
  }, [project.id, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  const open = (t: Tab) => setParams(t === 'inbox' ? new URLSearchParams() : new URLSearchParams({ tab: t }));
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length] ?? TABS[0];
    open(next.id);
    (e.currentTarget.querySelector(`#feedback-tab-${next.id}`) as HTMLElement | null)?.focus();
  };

  return (
    <>
      <PageHeading description="NPS, satisfaction and effort scores with the comments people leave, each linked to the moment of its session replay and to the variants the visitor saw.">
        Feedback
      </PageHeading>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <div className="tabs page-tabs" role="tablist" aria-label="Feedback" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`feedback-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`feedback-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => open(t.id)}
          >
            {t.label}
            {t.id === 'surveys' && <span className="count">{surveys.length}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`feedback-panel-${tab}`} aria-labelledby={`feedback-tab-${tab}`} className="page-tab-panel">
        {tab === 'inbox' && <Inbox project={project} surveys={surveys} canWrite={canWrite} />}
        {tab === 'surveys' && <Surveys project={project} surveys={surveys} canWrite={canWrite} reload={reload} />}
        {tab === 'forwarding' && <Forwarding project={project} canAdmin={canAdmin} />}
      </div>
    </>
  );
}
