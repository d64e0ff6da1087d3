import { Controller, Delete, Get, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PersonId, ProjectQuery, type CurrentUser as User } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ZodPipe } from '../http/zod.pipe';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { PeopleService } from './people.service';

@ApiTags('privacy')
@Controller('api/v1/people')
@UseGuards(SessionGuard)
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Everything held about one person',
    description:
      'For a data subject request: the sessions whose user id (from `Loupe.identify`) or visitor id is `:id`, with their events, signals, page views, experiment exposures, survey answers and impressions, as one JSON document. Recordings are listed with the route that downloads each. Nothing held answers empty lists.',
  })
  @ApiOkResponse({ description: '`{ person, project, exportedAt, sessions, recordings, events, signals, pageViews, feedback, feedbackNotes, surveyImpressions, exposures }`' })
  find(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', new ZodPipe(PersonId)) id: string) {
    return this.people.export(user, q.project, id);
  }

  @Delete(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({
    summary: 'Erase one person',
    description: 'Deletes everything `GET /api/v1/people/:id` returns, in one transaction, and writes `person.deleted` with the counts to the audit log. Admins and admin keys only.',
  })
  @ApiOkResponse({ description: '`{ person, deleted: { sessions, chunks, events, signals, pageViews, feedback, feedbackNotes, surveyImpressions } }`' })
  remove(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id', new ZodPipe(PersonId)) id: string) {
    return this.people.delete(user, q.project, id);
  }
}
