import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageListQuery, type CurrentUser as User } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { PagesService } from './pages.service';

@ApiTags('pages')
@Controller('api/v1/pages')
@UseGuards(SessionGuard)
export class PagesController {
  constructor(private readonly pages: PagesService) {}

  @Get()
  @ApiQueryOf(PageListQuery)
  @ApiOperation({
    summary: 'Where people leave and struggle, page by page',
    description:
      'Per page key (URLs grouped by template, see the project\'s `pages` settings) over a time range (default: the last 30 days): views, unique visitors, exits and exit rate, entries and bounce rate, median time on page, frustration signals and errors per view. The sessions behind each number: GET /api/v1/sessions with `page`, `exitPage`, `entryPage` (and `bounced=true`) or `signalPage`.',
  })
  @ApiOkResponse({ description: '`{ from, to, pages: [...] }`' })
  list(@CurrentUser() user: User, @ValidQuery(PageListQuery) q: PageListQuery) {
    return this.pages.dropOff(user, q);
  }
}
