import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CxQuery, VariantStatsQuery, type CurrentUser as User, type CxReport, type VariantScoreStats } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { CxService } from './cx.service';

@ApiTags('feedback')
@Controller('api/v1/cx')
@UseGuards(SessionGuard)
export class CxController {
  constructor(private readonly cx: CxService) {}

  @Get()
  @ApiQueryOf(CxQuery)
  @ApiOperation({
    summary: 'The CX dashboard of a project',
    description:
      'NPS, CSAT and CES with 95% intervals, responses and response rate, time to resolution, weekly retention cohorts, churn of identified visitors, and customer lifetime value, overall and per interval (day, week or month, in UTC) between from and to. The inbox filters apply to the feedback figures; device, experiment and variant also to the visitor figures. See docs/feedback.md for every formula.',
  })
  report(@CurrentUser() user: User, @ValidQuery(CxQuery) q: CxQuery): Promise<CxReport> {
    return this.cx.report(user, q);
  }

  @Get('variants')
  @ApiQueryOf(VariantStatsQuery)
  @ApiOperation({
    summary: "Scores per variant of an experiment",
    description: 'For each variant of the experiment the answering visitors saw: n, sum and sum of squares of the score, and promoters, passives and detractors for NPS.',
  })
  async variants(@CurrentUser() user: User, @ValidQuery(VariantStatsQuery) q: VariantStatsQuery): Promise<{ experiment: string; kind: string; variants: VariantScoreStats[] }> {
    return { experiment: q.experiment, kind: q.kind, variants: await this.cx.variantStatsFor(user, q) };
  }
}
