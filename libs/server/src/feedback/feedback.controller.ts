import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { FeedbackListQuery, NoteRequest, ProjectQuery, TriageRequest, type Assignee, type CurrentUser as User, type FeedbackItem, type FeedbackNote } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { ZodPipe } from '../http/zod.pipe';
import { FeedbackService } from './feedback.service';

const answerId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No such answer in this project. Pick one from GET /api/v1/feedback.') });

type AnswerWithNotes = { feedback: FeedbackItem; notes: FeedbackNote[] };

@ApiTags('feedback')
@Controller('api/v1/feedback')
@UseGuards(SessionGuard)
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Get()
  @ApiQueryOf(FeedbackListQuery)
  @ApiOperation({
    summary: 'The feedback inbox, newest first',
    description:
      'Filters: from, to, survey, kind, minScore, maxScore, url (page contains), device, experiment, variant, q (text in comments), status, assignee (or none), tag, session. Each answer links to the replay at its moment (`replay.path`). Pages with `cursor` = the previous answer\'s `nextCursor`.',
  })
  list(@CurrentUser() user: User, @ValidQuery(FeedbackListQuery) q: FeedbackListQuery) {
    return this.feedback.list(user, q);
  }

  @Get('assignees')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: 'The people answers can be assigned to: the members of the project\'s organization.' })
  async assignees(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery): Promise<{ assignees: Assignee[] }> {
    return { assignees: await this.feedback.assignees(user, q.project) };
  }

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: 'One answer and its internal notes, oldest first.' })
  get(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', answerId) id: string): Promise<AnswerWithNotes> {
    return this.feedback.get(user, q.project, id);
  }

  @Patch(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Triage an answer',
    description: 'Status open, in_progress or resolved (resolving stamps resolvedAt, and the time to resolution counts from the answer), the assignee (a member of the organization, or null), the tags (replaced). Members and up.',
  })
  @ApiBody({ schema: z.toJSONSchema(TriageRequest, { io: 'input' }) as object })
  triage(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', answerId) id: string, @Body(new ZodPipe(TriageRequest)) body: TriageRequest): Promise<AnswerWithNotes> {
    return this.feedback.triage(user, q.project, id, body);
  }

  @Post(':id/notes')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Add an internal note to an answer', description: 'Seen by the team only, never by the visitor. Members and up.' })
  @ApiBody({ schema: z.toJSONSchema(NoteRequest, { io: 'input' }) as object })
  addNote(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', answerId) id: string, @Body(new ZodPipe(NoteRequest)) body: NoteRequest): Promise<AnswerWithNotes> {
    return this.feedback.addNote(user, q.project, id, body.body);
  }
}
