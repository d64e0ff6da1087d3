import type { Sentiment } from '@loupe/analytics';
import type { SurveyKind } from '@loupe/contracts/feedback';
import type { ChatMessage } from '../integrations/webhook';

export interface ForwardedAnswer {
  kind: SurveyKind;
  surveyName: string;
  score: number | null;
  scale: { min: number; max: number } | null;
  sentiment: Sentiment | null;
  comment: string | null;
  commentQuestion: string | null;
  url: string;
  device: string | null;
  variants: Record<string, string>;
}

const KIND_NAMES: Record<SurveyKind, string> = { nps: 'NPS', csat: 'CSAT', ces: 'CES', comment: 'Comment' };
const SENTIMENT_NAMES: Record<SurveyKind, Record<Sentiment, string>> = {
  nps: { negative: 'detractor', neutral: 'passive', positive: 'promoter' },
  csat: { negative: 'dissatisfied', neutral: 'neutral', positive: 'satisfied' },
  ces: { negative: 'difficult', neutral: 'neutral', positive: 'easy' },
  comment: { negative: '', neutral: '', positive: '' },
};

/** Slack reads `&`, `<` and `>` as markup; everything a visitor wrote is escaped. */
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * One answer as a Slack-compatible message (`text` for notifications and clients without blocks,
 * `blocks` for the rest). Links need Loupe's public URL; without it they are left out.
 */
export function feedbackMessage(a: ForwardedAnswer, links: { replay?: string; inbox?: string }): ChatMessage {
  const kind = KIND_NAMES[a.kind];
  const score = a.score !== null && a.scale ? `${a.score} of ${a.scale.min}–${a.scale.max}` : null;
  const mood = a.sentiment ? SENTIMENT_NAMES[a.kind][a.sentiment] : '';
  const head = [`New ${kind} answer`, score, mood && `(${mood})`].filter(Boolean).join(' ');
  const text = escape(`${head} on ${clip(a.url, 300)}${a.comment ? `: “${clip(a.comment, 300)}”` : ''}`);

  const lines = [`*${escape(head)}* · ${escape(a.surveyName)}`];
  if (a.comment) {
    if (a.commentQuestion) lines.push(`_${escape(a.commentQuestion)}_`);
    lines.push(clip(escape(a.comment), 2500).split('\n').map((l) => `>${l}`).join('\n'));
  }
  const context = [`Page: ${escape(clip(a.url, 300))}`, a.device ? `Device: ${a.device}` : null, ...Object.entries(a.variants).map(([e, v]) => `${escape(e)}: ${escape(v)}`)].filter(
    (x): x is string => x !== null,
  );
  const actions = [links.replay && `<${links.replay}|Watch the replay at this moment>`, links.inbox && `<${links.inbox}|Open in the inbox>`].filter(Boolean).join(' · ');
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
  ];
  if (actions) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: actions } });
  return { text, blocks };
}
