import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateSurveyRequest, ProjectQuery, UpdateSurveyRequest, type CurrentUser as User, type Survey, type SurveyDefinition } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { ZodPipe } from '../http/zod.pipe';
import { SurveysService } from './surveys.service';

/** A malformed id is answered like an unknown one. */
export const surveyId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No such survey in this project. Pick one from GET /api/v1/surveys.') });

@ApiTags('feedback')
@Controller('api/v1/surveys')
@UseGuards(SessionGuard)
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Get()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: "A project's surveys, newest first", description: 'With how many times each was shown and answered.' })
  async list(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery): Promise<{ surveys: Survey[] }> {
    return { surveys: await this.surveys.list(user, q.project) };
  }

  @Post()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Create a survey',
    description: 'NPS (0–10), CSAT (1–5 or 1–7), CES (1–7) or a free comment. Texts not given take the defaults of the kind. A survey starts as a draft; set status "running" to show it. Members and up.',
  })
  @ApiBody({ schema: z.toJSONSchema(CreateSurveyRequest, { io: 'input', unrepresentable: 'any' }) as object })
  @ApiCreatedResponse({ description: '`{ "survey": {...} }`' })
  async create(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Body(new ZodPipe(CreateSurveyRequest)) body: SurveyDefinition): Promise<{ survey: Survey }> {
    return { survey: await this.surveys.create(user, q.project, body) };
  }

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: '`{ "survey": {...} }`' })
  async get(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', surveyId) id: string): Promise<{ survey: Survey }> {
    return { survey: await this.surveys.get(user, q.project, id) };
  }

  @Patch(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Change a survey', description: 'The fields named replace the stored ones (inside presentation and targeting too); kind and scale stay as created. Members and up.' })
  @ApiBody({ schema: z.toJSONSchema(UpdateSurveyRequest, { io: 'input', unrepresentable: 'any' }) as object })
  async update(
    @CurrentUser() user: User,
    @ValidQuery(ProjectQuery) q: ProjectQuery,
    @Param('id', surveyId) id: string,
    @Body(new ZodPipe(UpdateSurveyRequest)) patch: UpdateSurveyRequest,
  ): Promise<{ survey: Survey }> {
    return { survey: await this.surveys.update(user, q.project, id, patch) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Delete a survey nobody has answered', description: 'A survey with answers is refused with 409: end it instead (status "ended"). Members and up.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async remove(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', surveyId) id: string): Promise<void> {
    await this.surveys.remove(user, q.project, id);
  }
}
