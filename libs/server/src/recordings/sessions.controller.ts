import { Body, Controller, Get, Headers, Param, ParseIntPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProjectQuery, SessionListQuery, type CurrentUser as User } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { decodeStoredChunk, SessionsService } from './sessions.service';

@ApiTags('sessions')
@Controller('api/v1/sessions')
@UseGuards(SessionGuard)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiQueryOf(SessionListQuery)
  @ApiOperation({ summary: 'Sessions of a project, newest first', description: 'Filters: from, to, url, user, minDuration, maxDuration, device, browser, country, hasError; frustration: `signal` (a kind or `any`), `minFrustration`; pages (keys as in GET /api/v1/pages): `page`, `entryPage`, `exitPage`, `signalPage`, `bounced`. Pages with `cursor` = the previous answer\'s `nextCursor`.' })
  list(@CurrentUser() user: User, @ValidQuery(SessionListQuery) q: SessionListQuery) {
    return this.sessions.list(user, q);
  }

  @Post('import')
  @ApiQueryOf(ProjectQuery)
  @ApiOperation({ summary: 'Import an rrweb recording', description: 'A JSON array of rrweb events (plain or gzip-compressed) becomes a session processed like any other.' })
  @ApiConsumes('application/json', 'application/octet-stream')
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  @ApiCreatedResponse({ description: '`{ "sessionId": "…" }`' })
  import(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Body() body: unknown) {
    return this.sessions.import(user, q.project, body);
  }

  @Get(':id')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: 'The session, its typed events (pages, clicks, errors, custom), its frustration signals and its chunks.' })
  get(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id') id: string) {
    return this.sessions.get(user, q.project, id);
  }

  @Get(':id/export')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: 'Every rrweb event of the session as one JSON array, in order, as recorded (masked values stay masked).' })
  async export(@CurrentUser() user: User, @ValidQuery(ProjectQuery) q: ProjectQuery, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const events = await this.sessions.export(user, q.project, id);
    void reply.header('content-disposition', `attachment; filename="loupe-session-${id.replace(/[^A-Za-z0-9_-]/g, '')}.json"`);
    return events;
  }

  @Get(':id/chunks/:windowId/:seq')
  @ApiQueryOf(ProjectQuery)
  @ApiOkResponse({ description: 'One stored batch as JSON (`{ events: [...] }`), sent compressed as it is stored.' })
  async chunk(
    @CurrentUser() user: User,
    @ValidQuery(ProjectQuery) q: ProjectQuery,
    @Param('id') id: string,
    @Param('windowId') windowId: string,
    @Param('seq', ParseIntPipe) seq: number,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const chunk = await this.sessions.chunk(user, q.project, id, windowId, seq);
    void reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'private, max-age=31536000, immutable').header('vary', 'Accept-Encoding');
    const accepts = (acceptEncoding ?? '').split(',').map((s) => s.trim().split(';')[0]);
    const wire = chunk.encoding === 'br' ? 'br' : 'gzip';
    if (accepts.includes(wire)) {
      await reply.header('content-encoding', wire).send(chunk.body);
    } else {
      await reply.send(await decodeStoredChunk(chunk.encoding, chunk.body));
    }
  }
}
