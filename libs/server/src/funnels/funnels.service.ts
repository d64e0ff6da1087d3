import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { AutocompleteQuery, CurrentUser, Funnel, FunnelDropOff, FunnelInput, FunnelResults, FunnelResultsQuery, FunnelStepResult } from '@loupe/contracts';
import { funnelCounts, funnelProgress, stepLabel, type FunnelProgress, type StepHit } from '@loupe/analytics';
import { ProjectsService } from '../projects/projects.service';
import { funnelBackfillJobId } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { doneAt } from './funnel-matching.service';
import { DROP_SAMPLE, FunnelsRepository, type StoredFunnel } from './funnels.repository';

/** Without a range, results cover the last 30 days. */
const DEFAULT_RANGE_MS = 30 * 24 * 3600_000;
const NOT_FOUND = 'No such funnel in this project. Pick one from GET /api/v1/funnels.';

const publicFunnel = ({ version: _version, ...f }: StoredFunnel): Funnel => f;

@Injectable()
export class FunnelsService {
  private readonly log = new Logger('Funnels');

  constructor(
    private readonly projects: ProjectsService,
    private readonly funnels: FunnelsRepository,
    private readonly queue: QueueService,
  ) {}

  async list(user: CurrentUser, projectId: string): Promise<Funnel[]> {
    await this.projects.requireAccess(user, projectId, 'read');
    return (await this.funnels.list(projectId)).map(publicFunnel);
  }

  async get(user: CurrentUser, projectId: string, id: string): Promise<Funnel> {
    await this.projects.requireAccess(user, projectId, 'read');
    return publicFunnel(await this.found(projectId, id));
  }

  async create(user: CurrentUser, projectId: string, input: FunnelInput): Promise<Funnel> {
    await this.projects.requireAccess(user, projectId, 'write');
    const funnel = await this.funnels.create(projectId, input);
    await this.backfill(funnel);
    return publicFunnel(funnel);
  }

  async update(user: CurrentUser, projectId: string, id: string, input: FunnelInput): Promise<Funnel> {
    await this.projects.requireAccess(user, projectId, 'write');
    const funnel = await this.funnels.update(projectId, id, input);
    if (!funnel) throw new NotFoundException(NOT_FOUND);
    await this.backfill(funnel);
    return publicFunnel(funnel);
  }

  async remove(user: CurrentUser, projectId: string, id: string): Promise<void> {
    await this.projects.requireAccess(user, projectId, 'write');
    if (!(await this.funnels.remove(projectId, id))) throw new NotFoundException(NOT_FOUND);
  }

  async suggestions(user: CurrentUser, q: AutocompleteQuery) {
    await this.projects.requireAccess(user, q.project, 'read');
    return { suggestions: await this.funnels.suggestions(q.project, q.type, q.q, q.limit) };
  }

  async results(user: CurrentUser, id: string, q: FunnelResultsQuery): Promise<FunnelResults> {
    await this.projects.requireAccess(user, q.project, 'read');
    const funnel = await this.found(q.project, id);
    const to = q.to ?? new Date().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - DEFAULT_RANGE_MS).toISOString();
    if (Date.parse(from) >= Date.parse(to)) throw new BadRequestException('from must be before to.');
    if (q.breakdown === 'variant' && !q.experiment) throw new BadRequestException('A breakdown by variant needs experiment= (the experiment key given to Loupe.exposure).');
    if (q.breakdown && funnel.countBy === 'visitor') throw new BadRequestException('Breakdowns are by session attributes: they need a funnel counted per session (countBy "session").');
    const n = funnel.steps.length;
    const result = funnel.countBy === 'session' ? await this.perSession(funnel, from, to, q) : await this.perVisitor(funnel, from, to, q);
    const labels = funnel.steps.map(stepLabel);
    return {
      funnel: publicFunnel(funnel),
      from,
      to,
      total: result.steps[0]?.entered ?? 0,
      steps: result.steps.map((s, i) => ({ ...s, step: i, label: labels[i] ?? '' })).slice(0, n),
      dropOffs: result.dropOffs,
      ...(result.breakdown ? { breakdown: result.breakdown } : {}),
    };
  }

  private async perSession(funnel: StoredFunnel, from: string, to: string, q: FunnelResultsQuery) {
    const n = funnel.steps.length;
    const [reached, times] = await Promise.all([this.funnels.reachedCounts(funnel.id, from, to), this.funnels.stepTimes(funnel.id, from, to)]);
    const atLeast = (k: number) => [...reached.entries()].filter(([r]) => r >= k).reduce((sum, [, c]) => sum + c, 0);
    const steps: Array<Omit<FunnelStepResult, 'step' | 'label'>> = Array.from({ length: n }, (_, i) => {
      const entered = atLeast(i + 1);
      const converted = i + 1 < n ? atLeast(i + 2) : entered;
      const previous = i === 0 ? null : atLeast(i);
      const first = atLeast(1);
      const t = times.get(i);
      return {
        entered,
        converted,
        dropped: entered - converted,
        conversionFromPrevious: previous ? entered / previous : null,
        conversionFromStart: first ? entered / first : null,
        medianMsToConvert: i === 0 || !t ? null : t.median,
        p90MsToConvert: i === 0 || !t ? null : t.p90,
      };
    });
    // Each drop-off is a few indexed queries of its own: asked all at once.
    // The last step has no drop-off: whoever entered it finished the funnel.
    const dropOffs: FunnelDropOff[] = await Promise.all(
      steps.slice(0, -1).map(async (step, i): Promise<FunnelDropOff> => {
        if (!step.dropped) return { step: i, analysed: 0, nextPages: [], signals: [], sessions: [] };
        const [after, listed] = await Promise.all([
          this.funnels.afterDrop(funnel.projectId, { funnelId: funnel.id, from, to, reached: i + 1 }),
          this.funnels.droppedSessions(funnel.id, from, to, i + 1, q.sessions),
        ]);
        return { step: i, analysed: Math.min(step.dropped, DROP_SAMPLE), ...after, nextPages: after.nextPages.map(exitName), sessions: await this.placed(funnel.projectId, listed) };
      }),
    );
    let breakdown: FunnelResults['breakdown'];
    if (q.breakdown) {
      const rows = await this.funnels.reachedBy(funnel.projectId, funnel.id, from, to, q.breakdown, q.experiment);
      const values = [...new Set(rows.map((r) => r.value))];
      breakdown = values
        .map((value) => {
          const mine = rows.filter((r) => r.value === value);
          const at = (k: number) => mine.filter((r) => r.reached >= k).reduce((s, r) => s + r.n, 0);
          const first = at(1);
          return { value, total: first, steps: Array.from({ length: n }, (_, i) => ({ entered: at(i + 1), conversionFromStart: first ? at(i + 1) / first : null })) };
        })
        .sort((a, b) => b.total - a.total || String(a.value).localeCompare(String(b.value)));
    }
    return { steps, dropOffs, breakdown };
  }

  /** Visitors: their hits across sessions, merged in time order and run through the engine here. */
  private async perVisitor(funnel: StoredFunnel, from: string, to: string, q: FunnelResultsQuery) {
    const n = funnel.steps.length;
    const hits = await this.funnels.visitorHits(funnel.id, from, to, funnel.windowMs);
    const byVisitor = new Map<string, Array<{ sessionId: string; step: number; ts: number }>>();
    for (const h of hits) {
      let list = byVisitor.get(h.visitorId);
      if (!list) byVisitor.set(h.visitorId, (list = []));
      list.push(h);
    }
    const progress: FunnelProgress[] = [];
    const dropped: Array<Array<{ sessionId: string; at: number }>> = Array.from({ length: n }, () => []);
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    for (const list of byVisitor.values()) {
      // One ord per distinct (session, moment): hits of one event share it, as within a session.
      const ords = new Map<string, number>();
      const stepHits: Array<StepHit & { sessionId: string }> = list.map((h) => {
        const key = `${h.sessionId}\u0000${h.ts}`;
        let ord = ords.get(key);
        if (ord === undefined) ords.set(key, (ord = ords.size));
        return { step: h.step, ts: h.ts, ord, sessionId: h.sessionId };
      });
      const p = funnelProgress(stepHits, n, { order: funnel.order, windowMs: funnel.windowMs });
      // A visitor counts in the range where their attempt began.
      if (!p.reached || (p.times[0] ?? 0) < fromMs || (p.times[0] ?? 0) >= toMs) continue;
      progress.push(p);
      if (p.reached < n) {
        // Having reached a step, the visitor has a time for it and hits that got them there.
        const at = doneAt(p.times)[p.reached - 1];
        const last = stepHits.find((h) => h.ts === at) ?? stepHits[stepHits.length - 1];
        const droppedHere = dropped[p.reached - 1];
        if (at === undefined || !last || !droppedHere) throw new Error(`A visitor who reached step ${p.reached} of ${n} has no time or hit for it.`);
        droppedHere.push({ sessionId: last.sessionId, at });
      }
    }
    const steps = funnelCounts(progress, n);
    const dropOffs: FunnelDropOff[] = [];
    for (const [i, these] of dropped.slice(0, -1).entries()) {
      if (!these.length) {
        dropOffs.push({ step: i, analysed: 0, nextPages: [], signals: [], sessions: [] });
        continue;
      }
      const after = await this.funnels.afterDrop(funnel.projectId, [...these].sort((a, b) => b.at - a.at).slice(0, DROP_SAMPLE));
      const listed = [...these].sort((a, b) => b.at - a.at).slice(0, q.sessions);
      dropOffs.push({ step: i, analysed: Math.min(these.length, DROP_SAMPLE), ...after, nextPages: after.nextPages.map(exitName), sessions: await this.placed(funnel.projectId, listed) });
    }
    return { steps, dropOffs, breakdown: undefined };
  }

  /** Dropped sessions with the moment of their last step, as an offset into the replay. */
  private async placed(projectId: string, listed: Array<{ sessionId: string; at: number }>): Promise<FunnelDropOff['sessions']> {
    const info = await this.funnels.sessionsInfo(projectId, listed.map((l) => l.sessionId));
    return listed.flatMap((l) => {
      const s = info.get(l.sessionId);
      if (!s) return [];
      return [{ sessionId: l.sessionId, visitorId: s.visitorId, startedAt: s.startedAt.toISOString(), stepAt: new Date(l.at).toISOString(), offsetMs: Math.max(0, Math.round(l.at - s.startedAt.getTime())) }];
    });
  }

  private async found(projectId: string, id: string): Promise<StoredFunnel> {
    const funnel = await this.funnels.get(projectId, id);
    if (!funnel) throw new NotFoundException(NOT_FOUND);
    return funnel;
  }

  /** Stored sessions are matched in the background; until then results say `ready: false`. */
  private async backfill(funnel: StoredFunnel): Promise<void> {
    const payload = { projectId: funnel.projectId, funnelId: funnel.id, version: funnel.version };
    await this.queue
      .add('funnel.backfill', payload, { jobId: funnelBackfillJobId(payload), removeOnComplete: true })
      .catch((err: Error) => this.log.warn(`could not queue the matching of stored sessions for a funnel: ${err.message}`));
  }
}

/** The visit ended on the step: no next page. */
const exitName = (p: { pageKey: string | null; sessions: number }) => ({ pageKey: p.pageKey ?? '(exit)', sessions: p.sessions });
