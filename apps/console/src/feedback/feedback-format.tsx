import type { FeedbackItem, SurveyKind } from '@loupe/contracts';
import { formatClock } from '../format';

export const KIND_LABELS: Record<SurveyKind, string> = { nps: 'NPS', csat: 'CSAT', ces: 'CES', comment: 'Comment' };

const SENTIMENT_LABELS: Record<SurveyKind, Record<'negative' | 'neutral' | 'positive', string>> = {
  nps: { negative: 'Detractor', neutral: 'Passive', positive: 'Promoter' },
  csat: { negative: 'Dissatisfied', neutral: 'Neutral', positive: 'Satisfied' },
  ces: { negative: 'Difficult', neutral: 'Neutral', positive: 'Easy' },
  comment: { negative: '', neutral: '', positive: '' },
};

export const STATUS_LABELS = { open: 'Open', in_progress: 'In progress', resolved: 'Resolved' } as const;

export function sentimentLabel(item: Pick<FeedbackItem, 'kind' | 'sentiment'>): string {
  return item.sentiment ? SENTIMENT_LABELS[item.kind][item.sentiment] : '';
}

/** The score as a badge coloured by where it sits on its scale; a comment has none. */
export function ScoreBadge({ item }: { item: Pick<FeedbackItem, 'kind' | 'score' | 'scale' | 'sentiment'> }) {
  if (item.score === null || !item.scale) return <span className="score score-none">{KIND_LABELS[item.kind]}</span>;
  const label = `${KIND_LABELS[item.kind]} ${item.score} of ${item.scale.max}${item.sentiment ? `, ${sentimentLabel(item).toLowerCase()}` : ''}`;
  return (
    <span className={`score score-${item.sentiment ?? 'neutral'}`} title={label}>
      <span aria-hidden="true">{item.score}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/** "Watch the replay at 1:05": the link into the player at the moment of the answer. */
export const replayLabel = (item: Pick<FeedbackItem, 'replay'>) => `Watch the replay at ${formatClock(item.replay.offsetMs)}`;
