import { BadRequestException, Injectable } from '@nestjs/common';
import type { CurrentUser, PageListQuery, PageRow } from '@loupe/contracts';
import { ProjectsService } from '../projects/projects.service';
import { PagesRepository } from './pages.repository';

/** Without a range, the pages table covers the last 30 days. */
const DEFAULT_RANGE_MS = 30 * 24 * 3600_000;

@Injectable()
export class PagesService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly pages: PagesRepository,
  ) {}

  async dropOff(user: CurrentUser, q: PageListQuery): Promise<{ from: string; to: string; pages: PageRow[] }> {
    await this.projects.requireAccess(user, q.project);
    const to = q.to ?? new Date().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - DEFAULT_RANGE_MS).toISOString();
    if (Date.parse(from) >= Date.parse(to)) throw new BadRequestException('from must be before to.');
    return { from, to, pages: await this.pages.dropOff({ ...q, from, to }) };
  }
}
