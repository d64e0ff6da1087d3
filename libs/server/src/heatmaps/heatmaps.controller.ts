import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HeatmapQuery, HeatmapSnapshotQuery, type CurrentUser as User } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ApiQueryOf, ValidQuery } from '../http/valid-query';
import { HeatmapsService } from './heatmaps.service';

@ApiTags('heatmaps')
@Controller('api/v1/heatmaps')
@UseGuards(SessionGuard)
export class HeatmapsController {
  constructor(private readonly heatmaps: HeatmapsService) {}

  @Get()
  @ApiQueryOf(HeatmapQuery)
  @ApiOperation({
    summary: 'Where people click, move, scroll and struggle on one page',
    description:
      'Read from daily rollups per page key and device class (desktop ≥ 1024 px wide, tablet ≥ 768, mobile below), over whole days in UTC (default: the last 30). ' +
      '`click`, `move`, `rage`, `dead`: counts per document cell (`gx` a column of `columns` across the document width, `gy` a row of `rowPx` pixels from the top); clicks also per element (selector) on a `grid` × `grid` grid over its box, so they can be drawn on the element wherever the layout puts it. ' +
      '`scroll`: `reach[d]`, the share of page views that saw d% of the page. ' +
      '`zones`: per element clicks, visits that clicked it and their share, rage and dead clicks, hover time; with `goalPage` or `goalEvent`, the conversion of visits that clicked it against those that did not.',
  })
  @ApiOkResponse({ description: '`{ page, kind, device, from, to, total, columns, rowPx, cells, elements?, grid?, reach?, zones? }`' })
  heatmap(@CurrentUser() user: User, @ValidQuery(HeatmapQuery) q: HeatmapQuery) {
    return this.heatmaps.heatmap(user, q);
  }

  @Get('snapshots')
  @ApiQueryOf(HeatmapSnapshotQuery)
  @ApiOperation({
    summary: 'Recorded full snapshots of a page, to draw a heatmap over',
    description:
      'Newest first. Each names a chunk (GET /api/v1/sessions/{sessionId}/chunks/{windowId}/{seq}) and the timestamp of its full snapshot event; the console rebuilds that snapshot in a sandboxed iframe at the recorded width.',
  })
  @ApiOkResponse({ description: '`{ snapshots: [{ sessionId, windowId, seq, ts, url, viewportWidth, device }] }`' })
  snapshots(@CurrentUser() user: User, @ValidQuery(HeatmapSnapshotQuery) q: HeatmapSnapshotQuery) {
    return this.heatmaps.snapshots(user, q);
  }
}
