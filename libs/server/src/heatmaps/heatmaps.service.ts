import { BadRequestException, Injectable } from '@nestjs/common';
import type { CurrentUser, HeatmapElement, HeatmapQuery, HeatmapResponse, HeatmapSnapshot, HeatmapSnapshotQuery, HeatmapZone } from '@loupe/contracts';
import { ELEMENT_GRID, HEAT_COLUMNS, HEAT_ROW_PX, scrollReach } from '@loupe/analytics';
import { ProjectsService } from '../projects/projects.service';
import { HeatmapsRepository, type RollupScope } from './heatmaps.repository';

/** Without a range, a heatmap covers the last 30 days. */
const DEFAULT_DAYS = 30;
/** Rollups are daily; a longer range would still read few rows, but a year is what anyone asks for. */
const MAX_DAYS = 366;
const DAY_MS = 24 * 3600_000;

const dayOf = (v: string) => new Date(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)).toISOString().slice(0, 10);

@Injectable()
export class HeatmapsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly repo: HeatmapsRepository,
  ) {}

  async heatmap(user: CurrentUser, q: HeatmapQuery): Promise<HeatmapResponse> {
    await this.projects.requireAccess(user, q.project);
    const to = q.to ? dayOf(q.to) : new Date().toISOString().slice(0, 10);
    const from = q.from ? dayOf(q.from) : new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    if (from > to) throw new BadRequestException('from must be on or before to.');
    if (Date.parse(to) - Date.parse(from) > MAX_DAYS * DAY_MS) throw new BadRequestException(`A heatmap covers at most ${MAX_DAYS} days: narrow from and to.`);
    if ((q.goalPage || q.goalEvent) && q.kind !== 'zones') throw new BadRequestException('A goal applies to zones only: use kind=zones, or leave goalPage and goalEvent out.');
    // Everyone's rows are under the empty variant; an exposed visitor's are also under `experiment=variant`.
    const variant = q.experiment && q.variant ? `${q.experiment}=${q.variant}` : '';
    const scope: RollupScope = { projectId: q.project, page: q.page, device: q.device, from, to, variant };
    const base: HeatmapResponse = {
      page: q.page,
      kind: q.kind,
      device: q.device,
      from,
      to,
      variant: variant || null,
      total: 0,
      columns: HEAT_COLUMNS,
      rowPx: HEAT_ROW_PX,
      cells: [],
    };

    if (q.kind === 'scroll') {
      const histogram = await this.repo.cells(scope, 'scroll');
      const { views, reach } = scrollReach(histogram.map((c) => ({ bucket: c.gx, count: c.count })));
      return { ...base, total: views, cells: histogram, reach };
    }
    if (q.kind === 'zones') {
      const [zones, views] = await Promise.all([this.repo.zones(scope), this.repo.cells(scope, 'scroll')]);
      const measured = views.reduce((n, c) => n + c.count, 0);
      const conversion = q.goalPage || q.goalEvent ? await this.repo.zoneConversion(scope, q.goalPage ? { page: q.goalPage } : { event: q.goalEvent! }) : null;
      const rate = (converted: number, visits: number) => (visits ? converted / visits : null);
      const out: HeatmapZone[] = zones.map((z) => {
        const zone: HeatmapZone = { ...z, visitorShare: measured ? Math.min(1, z.visitors / measured) : null };
        if (conversion) {
          const c = conversion.bySelector.get(z.selector) ?? { visits: 0, converted: 0 };
          const restVisits = conversion.visits - c.visits;
          const restConverted = conversion.converted - c.converted;
          zone.conversion = {
            clicked: { visits: c.visits, converted: c.converted, rate: rate(c.converted, c.visits) },
            notClicked: { visits: restVisits, converted: restConverted, rate: rate(restConverted, restVisits) },
          };
        }
        return zone;
      });
      return { ...base, total: zones.reduce((n, z) => n + z.clicks, 0), zones: out };
    }

    // Both reads at once: on a busy page each sums tens of thousands of daily rows.
    const [cells, elementCells] = await Promise.all([this.repo.cells(scope, q.kind), q.kind === 'click' ? this.repo.elementCells(scope) : Promise.resolve([])]);
    const response: HeatmapResponse = { ...base, total: cells.reduce((n, c) => n + c.count, 0), cells };
    if (q.kind === 'click') {
      const bySelector = new Map<string, HeatmapElement>();
      for (const c of elementCells) {
        let el = bySelector.get(c.selector);
        if (!el) bySelector.set(c.selector, (el = { selector: c.selector, clicks: 0, cells: [] }));
        el.clicks += c.count;
        el.cells.push({ gx: c.gx, gy: c.gy, count: c.count });
      }
      response.elements = [...bySelector.values()].sort((a, b) => b.clicks - a.clicks || a.selector.localeCompare(b.selector));
      response.grid = ELEMENT_GRID;
    }
    return response;
  }

  async snapshots(user: CurrentUser, q: HeatmapSnapshotQuery): Promise<{ snapshots: HeatmapSnapshot[] }> {
    await this.projects.requireAccess(user, q.project);
    return { snapshots: await this.repo.snapshots(q.project, q.page, q.device, q.limit) };
  }
}
