import { Injectable } from '@nestjs/common';
import { funnelProgress, pageKey, stepDurations, stepHitsOf, type StepHit } from '@loupe/analytics';
import { ProjectsService } from '../projects/projects.service';
import { FunnelsRepository, type SessionFunnelRows, type StoredFunnel } from './funnels.repository';

/** A session that hits a step more often than this keeps its first hits only: enough for any window. */
const MAX_HITS_PER_STEP = 50;

/**
 * Matches sessions against funnels and stores what results are read from. Run for one session by
 * the session analysis (all the project's funnels), and for all stored sessions when a funnel is
 * created or edited (that funnel only). Replaces per session, so running twice changes nothing.
 */
@Injectable()
export class FunnelMatchingService {
  constructor(
    private readonly funnels: FunnelsRepository,
    private readonly projects: ProjectsService,
  ) {}

  async refreshSessions(projectId: string, sessionIds: readonly string[], only?: StoredFunnel): Promise<number> {
    const funnels = only ? [only] : await this.funnels.list(projectId);
    if (!funnels.length || !sessionIds.length) return 0;
    const [settings, sessions] = await Promise.all([this.projects.settingsOf(projectId), this.funnels.stepEvents(projectId, sessionIds)]);
    const keys = new Map<string, string>();
    const rows: SessionFunnelRows[] = [];
    for (const s of sessions) {
      for (const e of s.events) {
        if (e.kind !== 'pageview' || !e.url) continue;
        let key = keys.get(e.url);
        if (key === undefined) keys.set(e.url, (key = pageKey(e.url, settings.pages)));
        e.pageKey = key;
      }
      for (const f of funnels) {
        const hits = capped(stepHitsOf(f.steps, s.events));
        if (!hits.length) continue;
        const progress = funnelProgress(hits, f.steps.length, { order: f.order, windowMs: f.windowMs });
        rows.push({ funnelId: f.id, sessionId: s.sessionId, visitorId: s.visitorId, startedAt: s.startedAt, hits, reached: progress.reached, stepAt: doneAt(progress.times) });
      }
    }
    await this.funnels.replaceSessionRows(projectId, funnels.map((f) => f.id), sessions.map((s) => s.sessionId), rows);
    return rows.length;
  }
}

function capped(hits: StepHit[]): StepHit[] {
  const seen = new Map<number, number>();
  return hits.filter((h) => {
    const n = (seen.get(h.step) ?? 0) + 1;
    seen.set(h.step, n);
    return n <= MAX_HITS_PER_STEP;
  });
}

/** The moment each step was done, counting a step done out of order when the ones before it were. */
export function doneAt(times: readonly number[]): number[] {
  if (!times.length) return [];
  const out = [times[0]!];
  stepDurations(times).forEach((d) => out.push(out[out.length - 1]! + d));
  return out;
}
