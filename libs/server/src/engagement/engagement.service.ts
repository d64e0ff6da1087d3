import { BadRequestException, Injectable } from '@nestjs/common';
import type { CurrentUser, MetricsPoint, MetricsQuery, MetricsResult, PathsQuery, PathsResult } from '@loupe/contracts';
import { bucketStarts, pathGraph } from '@loupe/analytics';
import { ProjectsService } from '../projects/projects.service';
import { EngagementRepository } from './engagement.repository';

/** Without a range, journeys and metrics cover the last 30 days. */
const DEFAULT_RANGE_MS = 30 * 24 * 3600_000;
const HOUR = 3600_000;
/** A series longer than this would be unreadable and slow: ask for a wider interval. */
const MAX_POINTS = 1000;

function rangeOf(q: { from?: string | undefined; to?: string | undefined }): { from: string; to: string } {
  const to = q.to ?? new Date().toISOString();
  const from = q.from ?? new Date(Date.parse(to) - DEFAULT_RANGE_MS).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw new BadRequestException('from must be before to.');
  return { from, to };
}

function bucketsOf(from: number, to: number, interval: MetricsQuery['interval']): number[] {
  if (interval !== 'hour') return bucketStarts(from, to, interval);
  const out: number[] = [];
  for (let b = Math.floor(from / HOUR) * HOUR; b < to; b += HOUR) out.push(b);
  return out;
}

const EMPTY: Omit<MetricsPoint, 'start'> = {
  sessions: 0,
  pageViews: 0,
  uniqueVisitors: 0,
  newVisitors: 0,
  returningVisitors: 0,
  pagesPerSession: null,
  avgSessionMs: null,
  medianSessionMs: null,
  avgActiveMs: null,
  medianActiveMs: null,
  bounceRate: null,
  logins: 0,
};

@Injectable()
export class EngagementService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly repo: EngagementRepository,
  ) {}

  async paths(user: CurrentUser, q: PathsQuery): Promise<PathsResult> {
    await this.projects.requireAccess(user, q.project, 'read');
    const { from, to } = rangeOf(q);
    const direction = q.start ? 'next' : 'previous';
    const page = (q.start ?? q.end) as string;
    const { sessions, transitions } = await this.repo.transitions(q.project, page, from, to, q.depth, direction);
    return { from, to, direction, ...pathGraph(page, sessions, transitions, q.width) };
  }

  async metrics(user: CurrentUser, q: MetricsQuery): Promise<MetricsResult> {
    await this.projects.requireAccess(user, q.project, 'read');
    const { from, to } = rangeOf(q);
    const buckets = bucketsOf(Date.parse(from), Date.parse(to), q.interval);
    if (buckets.length > MAX_POINTS) throw new BadRequestException(`That range has ${buckets.length} ${q.interval}s; ask for at most ${MAX_POINTS} points with a wider interval.`);
    if (!!q.cartStep !== !!q.checkoutStep) throw new BadRequestException('Cart abandonment needs both cartStep and checkoutStep (page keys starting with / or custom event names).');
    const r = { ...q, from, to };
    const [points, pages, featureUsage, clickThrough, conversion, cartAbandonment] = await Promise.all([
      this.repo.points(r, q.interval),
      this.repo.timeOnPage(r),
      this.repo.featureUsage(r),
      q.clickSelector ? this.repo.clickThrough(r, q.clickSelector) : null,
      q.goal ? this.repo.conversion(r, q.goal) : null,
      q.cartStep && q.checkoutStep ? this.repo.cartAbandonment(r, q.cartStep, q.checkoutStep) : null,
    ]);
    const byBucket = new Map(points.filter((p) => p.bucket !== null).map((p) => [p.bucket, p.point]));
    return {
      from,
      to,
      interval: q.interval,
      totals: points.find((p) => p.bucket === null)?.point ?? EMPTY,
      series: buckets.map((b) => ({ start: new Date(b).toISOString(), ...(byBucket.get(b) ?? EMPTY) })),
      timeOnPage: pages.map(({ exits: _exits, ...p }) => p),
      exitPages: pages
        .filter((p) => p.exits > 0)
        .map((p) => ({ pageKey: p.pageKey, exits: p.exits, views: p.views, exitRate: p.exits / p.views }))
        .sort((a, b) => b.exits - a.exits || a.pageKey.localeCompare(b.pageKey)),
      featureUsage,
      clickThrough,
      conversion,
      cartAbandonment,
    };
  }
}
