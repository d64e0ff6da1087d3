import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MetricsQuery, PathsQuery, type CurrentUser as User, type MetricsResult, type PathsResult } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { EngagementService } from './engagement.service';

@ApiTags('engagement')
@Controller('api/v1')
@UseGuards(SessionGuard)
export class EngagementController {
  constructor(private readonly engagement: EngagementService) {}

  @Get('paths')
  @ApiQueryOf(PathsQuery)
  @ApiOperation({
    summary: 'Journeys from or to a page',
    description:
      'With `start`: from the first view of that page key in each session, the next pages level by level (`depth`, default 3); with `end`: the pages that led to its last view. The `width` busiest pages of each level are kept, the rest grouped as `(other)`. Nodes carry sessions and exits (visits that ended there, or with `end` began there); links carry sessions. Shaped for a Sankey chart.',
  })
  @ApiOkResponse({ description: '`{ from, to, direction, nodes: [{ id, level, pageKey, sessions, exits }], links: [{ source, target, sessions }] }`' })
  paths(@CurrentUser() user: User, @ValidQuery(PathsQuery) q: PathsQuery): Promise<PathsResult> {
    return this.engagement.paths(user, q);
  }

  @Get('metrics')
  @ApiQueryOf(MetricsQuery)
  @ApiOperation({
    summary: 'Engagement metrics over a range, with a series per interval',
    description:
      'Sessions started in the range (default: the last 30 days), optionally of one device class or browser: page views, unique, new and returning visitors, pages per session, average and median session and active duration, bounce rate, logins (identified sessions); time on page and exit pages per page key; custom event counts; and on request the click-through rate of `clickSelector`, the conversion rate of `goal`, the cart abandonment rate from `cartStep` to `checkoutStep`. Definitions: docs/funnels.md.',
  })
  @ApiOkResponse({ description: '`{ from, to, interval, totals, series, timeOnPage, exitPages, featureUsage, clickThrough, conversion, cartAbandonment }`' })
  metrics(@CurrentUser() user: User, @ValidQuery(MetricsQuery) q: MetricsQuery): Promise<MetricsResult> {
    return this.engagement.metrics(user, q);
  }
}
