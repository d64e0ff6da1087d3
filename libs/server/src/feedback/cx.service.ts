import { Injectable } from '@nestjs/common';
import { bucketStarts, cxReport, nextBucket, variantScores, type VariantScores } from '@loupe/analytics';
import type { CurrentUser, CxQuery, CxReport, VariantStatsQuery } from '@loupe/contracts';
import { ProjectsService } from '../projects/projects.service';
import { CxRepository, type VisitorFilters } from './cx.repository';

export interface VariantStatsOptions {
  kind: 'nps' | 'csat' | 'ces';
  /** One survey's answers only; all the project's answers of the kind otherwise. */
  surveyId?: string;
  from?: string;
  to?: string;
}

/** The CX dashboard: what customers say (NPS, CSAT, CES, response rate, resolution) and what they do (retention, churn, lifetime value). */
@Injectable()
export class CxService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly cx: CxRepository,
  ) {}

  async report(user: CurrentUser, q: CxQuery, now = Date.now()): Promise<CxReport> {
    await this.projects.requireAccess(user, q.project);
    const { cx: settings } = await this.projects.settingsOf(q.project);
    const revenueEvent = q.revenueEvent ?? settings.revenueEvent;
    const revenueProperty = q.revenueProperty ?? settings.revenueProperty;
    const churnDays = q.churnDays ?? settings.churnDays;
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    const visitors: VisitorFilters = { project: q.project, device: q.device, experiment: q.experiment, variant: q.variant };
    // Churn is measured at the end of each bucket, and never later than now: the future has no visits yet.
    const churnPoints = bucketStarts(from, to, q.interval)
      .map((bucket) => ({ bucket, at: Math.min(nextBucket(bucket, q.interval), to, now) }))
      .filter((p) => p.at > p.bucket);

    const [scores, answers, shown, resolutions, retention, churn, revenue] = await Promise.all([
      this.cx.scores(q, q.interval),
      this.cx.answers(q, q.interval),
      this.cx.shown(q, q.interval),
      this.cx.resolutions(q, q.interval),
      this.cx.retention(visitors, q.from, q.to),
      this.cx.churn(visitors, churnPoints, churnDays),
      revenueEvent ? this.cx.revenue(visitors, revenueEvent, revenueProperty, q.to, q.interval) : Promise.resolve([]),
    ]);
    return cxReport({
      from,
      to,
      interval: q.interval,
      scores,
      answers,
      shown,
      resolutions,
      retention,
      churn: { periodDays: churnDays, rows: churn },
      revenue: { event: revenueEvent, property: revenueProperty, rows: revenue },
    });
  }

  async variantStatsFor(user: CurrentUser, q: VariantStatsQuery): Promise<VariantScores[]> {
    await this.projects.requireAccess(user, q.project);
    return this.variantStatistics(q.project, q.experiment, { kind: q.kind, surveyId: q.survey, from: q.from, to: q.to });
  }

  /**
   * Per-variant sufficient statistics of the scores of visitors who saw `experiment`: n, sum and
   * sum of squares (for means and t tests), and the NPS groups. For an experiment's satisfaction
   * metrics; the caller has checked access to the project.
   */
  async variantStatistics(projectId: string, experiment: string, o: VariantStatsOptions): Promise<VariantScores[]> {
    const rows = await this.cx.variantScores({ project: projectId, experiment, kind: o.kind, survey: o.surveyId, from: o.from, to: o.to });
    return variantScores(o.kind, rows);
  }
}
