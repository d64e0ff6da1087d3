import { ForbiddenException, Injectable } from '@nestjs/common';
import type { AnalyzeExperimentRequest, AnalyzeExperimentResponse, CurrentUser } from '@loupe/contracts';
import { analyzeExperiment } from '@loupe/stats';
import { ProjectsService } from '../projects/projects.service';

@Injectable()
export class ExperimentsService {
  constructor(private readonly projects: ProjectsService) {}

  /**
   * Runs the statistics engine on summary statistics the caller brings. Nothing stored is read, so
   * no one project is named: anyone who can see at least one project may use it.
   */
  async analyze(user: CurrentUser, request: AnalyzeExperimentRequest): Promise<AnalyzeExperimentResponse> {
    const visible = await this.projects.list(user);
    if (!visible.length) throw new ForbiddenException('Analysing experiments takes access to at least one project; ask an admin of your organization to add you to one.');
    return analyzeExperiment(request);
  }
}
