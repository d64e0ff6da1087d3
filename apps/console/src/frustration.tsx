import type { SessionSummary } from '@loupe/contracts';
import { SIGNAL_KINDS, SIGNAL_LABELS, type SignalKind } from '@loupe/contracts/signal-kinds';

/** The session's score and the signals behind it, worst first. */
export function FrustrationCell({ session: s }: { session: SessionSummary }) {
  const kinds = SIGNAL_KINDS.filter((k) => (s.signalCounts[k] ?? 0) > 0);
  if (kinds.length === 0) return <span className="muted small">None</span>;
  return (
    <span className="frustration" title={`Frustration score ${s.frustrationScore} of 100`}>
      <span className="frustration-score" data-level={frustrationLevel(s.frustrationScore)}>
        {Math.round(s.frustrationScore)}
      </span>
      {kinds.map((k) => (
        <span key={k} className={`badge badge-signal signal-${k}`}>
          {signalCount(k, s.signalCounts[k] ?? 0)}
        </span>
      ))}
    </span>
  );
}

export const frustrationLevel = (score: number) => (score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low');

export function signalCount(kind: SignalKind, n: number): string {
  const label = SIGNAL_LABELS[kind].toLowerCase();
  return n === 1 ? `1 ${label}` : `${n.toLocaleString()} ${kind === 'excessive_scroll' ? 'bouts of excessive scrolling' : kind === 'thrashed_cursor' ? 'thrashed cursors' : `${label}s`}`;
}
