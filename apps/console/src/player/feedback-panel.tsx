import type { FeedbackItem } from '@loupe/contracts';
import { memo, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { apiRequest } from '../api';
import { KIND_LABELS, ScoreBadge } from '../feedback/feedback-format';
import '../feedback/feedback.css';
import { formatClock } from '../format';
import type { TimelineEvent } from './session-events';

/**
 * The answers given during a session, for the player: a panel beside it and a marker on the
 * timeline at the moment of each. Loaded apart from the session, so that the player never waits for it.
 */
export function useSessionFeedback(projectId: string, sessionId: string, start: number): { items: FeedbackItem[]; markers: TimelineEvent[] } {
  const [items, setItems] = useState<FeedbackItem[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    const q = new URLSearchParams({ project: projectId, session: sessionId, limit: '50' });
    apiRequest<{ feedback: FeedbackItem[] }>(`/api/v1/feedback?${q}`, { signal: controller.signal })
      .then((r) => setItems([...r.feedback].sort((a, b) => Date.parse(a.answeredAt) - Date.parse(b.answeredAt))))
      .catch(() => setItems([])); // The replay does not depend on it.
    return () => controller.abort();
  }, [projectId, sessionId]);
  const markers = useMemo(
    () =>
      items.map((i) => ({
        offset: Math.max(0, Date.parse(i.answeredAt) - start),
        kind: 'feedback',
        label: 'Feedback',
        text: `${KIND_LABELS[i.kind]}${i.score !== null ? ` ${i.score}` : ''}${i.comment ? `: ${i.comment}` : ''}`,
        url: i.url,
      })),
    [items, start],
  );
  return { items, markers };
}

export const FeedbackPanel = memo(function FeedbackPanel({ items, start, projectId, onJump }: { items: FeedbackItem[]; start: number; projectId: string; onJump(ms: number): void }) {
  if (items.length === 0) return null;
  return (
    <aside className="feedback-panel" aria-labelledby="feedback-panel-title">
      <h2 id="feedback-panel-title">Feedback in this session</h2>
      <ol>
        {items.map((i) => {
          const at = Math.max(0, Date.parse(i.answeredAt) - start);
          return (
            <li key={i.id} className="feedback-panel-item" data-feedback-id={i.id}>
              <ScoreBadge item={i} />
              <div>
                <p>
                  <strong>{i.survey.name}</strong>
                </p>
                {i.comment && <p>{i.comment}</p>}
                <p className="small">
                  <button type="button" className="link-button" onClick={() => onJump(at)}>
                    Go to {formatClock(at)}
                  </button>
                  {' · '}
                  <Link to={`/p/${projectId}/feedback?answer=${i.id}`}>Open in the inbox</Link>
                </p>
              </div>
            </li>
          );
        })}
      </ol>
    </aside>
  );
});
