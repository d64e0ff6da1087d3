import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  AnalyzeExperimentRequest,
  AnalyzeExperimentResponse,
  ExperimentDefinition,
  ExperimentResultsQuery,
  ProjectQuery,
  type CurrentUser as User,
  type Experiment,
  type ExperimentListItem,
  type ExperimentResults,
} from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { ZodPipe } from '../http/zod.pipe';
import { ExperimentsService } from './experiments.service';

/** A malformed id is answered like an unknown one. */
const experimentId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No such experiment in this project. Pick one from GET /api/v1/experiments.') });

const definitionSchema = z.toJSONSchema(ExperimentDefinition, { io: 'input', unrepresentable: 'any' }) as object;

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

  @Get()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: "A project's experiments, newest first", description: 'Each with its exposed visitors, whether the split between variants is suspicious (sample ratio mismatch, p < 0.001), and the verdict on the primary metric (frequentist, two-sided, 95%).' })
  @ApiOkResponse({ description: '`{ "experiments": [...] }`' })
  async list(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery): Promise<{ experiments: ExperimentListItem[] }> {
    return { experiments: await this.experiments.list(user, q.project) };
  }

  @Post()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Create an experiment',
    description:
      'A key (what the site passes to Loupe.getVariant or Loupe.exposure), variants with weights adding up to 1 (the first is the control), a status (draft, running, stopped), optional start and end, a primary metric and optional secondary and guardrail metrics. Metric kinds: conversion (event or page), property (sum per visitor or mean per event, optional percentile cap), duration (page or session), frustration (a signal kind or any), feedback (nps, csat, ces); funnel is refused until funnels can be measured. Members and up. See docs/experiments.md.',
  })
  @ApiBody({ schema: definitionSchema })
  @ApiCreatedResponse({ description: '`{ "experiment": {...} }`; 409 when the key is taken' })
  async create(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Body(new ZodPipe(ExperimentDefinition)) body: ExperimentDefinition): Promise<{ experiment: Experiment }> {
    return { experiment: await this.experiments.create(user, q.project, body) };
  }

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: '`{ "experiment": {...} }`' })
  async get(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', experimentId) id: string): Promise<{ experiment: Experiment }> {
    return { experiment: await this.experiments.get(user, q.project, id) };
  }

  @Put(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Replace an experiment', description: 'The whole definition, as for POST; the key cannot change (exposures are recorded under it). Members and up.' })
  @ApiBody({ schema: definitionSchema })
  @ApiOkResponse({ description: '`{ "experiment": {...} }`' })
  async replace(
    @CurrentUser() user: User,
    @ValidQuery(ProjectQuery) q: ProjectQuery,
    @Param('id', experimentId) id: string,
    @Body(new ZodPipe(ExperimentDefinition)) body: ExperimentDefinition,
  ): Promise<{ experiment: Experiment }> {
    return { experiment: await this.experiments.replace(user, q.project, id, body) };
  }

  @Get(':id/results')
  @ApiQueryOf(ExperimentResultsQuery)
  @ApiOperation({
    summary: "An experiment's results",
    description:
      'Exposed visitors per variant and the sample ratio check; per metric and variant the rate, mean or ratio from stored events (only what each visitor did at or after their first exposure), and each variant against the control from the statistics engine; the primary metric day by day (cumulative). See docs/experiments.md.',
  })
  @ApiOkResponse({ description: '`{ experiment, settings, exposures, unknownVariantExposures, srm, metrics: [{ key, name, kind, role, type, inverse, variants, results }], cumulative }`' })
  async results(@CurrentUser() user: User, @ValidQuery(ExperimentResultsQuery) q: ExperimentResultsQuery, @Param('id', experimentId) id: string): Promise<ExperimentResults> {
    return this.experiments.results(user, q.project, id, q);
  }
}
