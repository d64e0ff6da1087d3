import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AutocompleteQuery, FunnelInput, FunnelResultsQuery, ProjectQuery, type CurrentUser as User, type Funnel, type FunnelResults } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { ZodPipe } from '../http/zod.pipe';
import { FunnelsService } from './funnels.service';

/** A malformed id is answered like an unknown one. */
const funnelId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No such funnel in this project. Pick one from GET /api/v1/funnels.') });
const funnelBody = z.toJSONSchema(FunnelInput, { io: 'input', unrepresentable: 'any' }) as object;

@ApiTags('funnels')
@Controller('api/v1/funnels')
@UseGuards(SessionGuard)
export class FunnelsController {
  constructor(private readonly funnels: FunnelsService) {}

  @Get()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: "A project's funnels, oldest first" })
  @ApiOkResponse({ description: '`{ "funnels": [...] }`' })
  async list(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery): Promise<{ funnels: Funnel[] }> {
    return { funnels: await this.funnels.list(user, q.project) };
  }

  @Get('suggestions')
  @ApiQueryOf(AutocompleteQuery)
  @ApiOperation({
    summary: 'What a funnel step can match, for the step editor',
    description: 'Page keys, custom event names (`Loupe.track`) or clicked elements (selector and text) seen in the last 30 days, busiest first, optionally containing `q`.',
  })
  @ApiOkResponse({ description: '`{ "suggestions": [{ value, text?, count }] }`' })
  suggestions(@CurrentUser() user: User, @ValidQuery(AutocompleteQuery) q: AutocompleteQuery) {
    return this.funnels.suggestions(user, q);
  }

  @Post()
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Create a funnel',
    description:
      'Two to twenty steps, each a page (page key or URL pattern), a custom event (name, optional property values) or a click (selector and/or text); a conversion window (default one hour); strict (given) or loose (any) order; counted per session or per visitor. Stored sessions are matched in the background: the funnel says `ready: true` when its results cover them. Members and up.',
  })
  @ApiBody({ schema: funnelBody })
  @ApiCreatedResponse({ description: '`{ "funnel": {...} }`' })
  async create(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Body(new ZodPipe(FunnelInput)) body: FunnelInput): Promise<{ funnel: Funnel }> {
    return { funnel: await this.funnels.create(user, q.project, body) };
  }

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: '`{ "funnel": {...} }`' })
  async get(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', funnelId) id: string): Promise<{ funnel: Funnel }> {
    return { funnel: await this.funnels.get(user, q.project, id) };
  }

  @Put(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Replace a funnel', description: 'The whole definition, as for creating. Stored sessions are matched again in the background. Members and up.' })
  @ApiBody({ schema: funnelBody })
  @ApiOkResponse({ description: '`{ "funnel": {...} }`' })
  async update(
    @CurrentUser() user: User,
    @ValidQuery(ProjectQuery) q: ProjectQuery,
    @Param('id', funnelId) id: string,
    @Body(new ZodPipe(FunnelInput)) body: FunnelInput,
  ): Promise<{ funnel: Funnel }> {
    return { funnel: await this.funnels.update(user, q.project, id, body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Delete a funnel', description: 'Members and up.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async remove(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', funnelId) id: string): Promise<void> {
    await this.funnels.remove(user, q.project, id);
  }

  @Get(':id/results')
  @ApiQueryOf(FunnelResultsQuery)
  @ApiOperation({
    summary: 'How many went through each step, and where the others went',
    description:
      'Over sessions (or visitors) whose attempt started in the range (default: the last 30 days). Per step: entered, converted, dropped, conversion from the previous step and from the start, median and 90th percentile time to convert. Per drop-off: the next pages of those who stopped (`(exit)`: the visit ended), the signals they hit on the page of their last step, and the sessions with `offsetMs`, the moment in the replay. Optional breakdown by device, browser, entry page or experiment variant. Definitions: docs/funnels.md.',
  })
  @ApiOkResponse({ description: '`{ funnel, from, to, total, steps: [...], dropOffs: [...], breakdown? }`' })
  results(@CurrentUser() user: User, @Param('id', funnelId) id: string, @ValidQuery(FunnelResultsQuery) q: FunnelResultsQuery): Promise<FunnelResults> {
    return this.funnels.results(user, id, q);
  }
}
