import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AnalyzeExperimentRequest, AnalyzeExperimentResponse, type CurrentUser as User } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ZodPipe } from '../http/zod.pipe';
import { ExperimentsService } from './experiments.service';

@ApiTags('experiments')
@Controller('api/v1/experiments')
@UseGuards(SessionGuard)
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post('analyze')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Analyse an experiment from summary statistics',
    description:
      'Each variant against the first (the control) on every metric: Welch t-test or always-valid sequential intervals (frequentist), or a Gaussian posterior with chance to win and risk (Bayesian); CUPED when pre-exposure sums are given; a sample ratio mismatch check; Holm or Benjamini–Hochberg across comparisons. Formulas and how to read each number: docs/statistics.md.',
  })
  @ApiBody({ schema: z.toJSONSchema(AnalyzeExperimentRequest, { io: 'input', unrepresentable: 'any' }) as object })
  @ApiOkResponse({ schema: z.toJSONSchema(AnalyzeExperimentResponse, { unrepresentable: 'any' }) as object, description: 'Results by metric and variant; a comparison the data cannot answer has an `error` sentence and null numbers.' })
  analyze(@CurrentUser() user: User, @Body(new ZodPipe(AnalyzeExperimentRequest)) body: AnalyzeExperimentRequest): Promise<AnalyzeExperimentResponse> {
    return this.experiments.analyze(user, body);
  }
}
