import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { CreateProjectRequest, CurrentUser, Project } from '@loupe/contracts';
import type { ProjectEntity } from '../database/entities';
import { ProjectsRepository } from './projects.repository';

const MANAGE_PROJECTS = new Set(['owner', 'admin']);

@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectsRepository) {}

  async list(user: CurrentUser): Promise<Project[]> {
    const rows = await this.projects.listForOrganizations(user.organizations.map((o) => o.id));
    return rows.map(toProject);
  }

  /**
   * The project, when the user belongs to its organization. Anything else is a 404, so that ids
   * of other organizations' projects cannot be told from ids that do not exist.
   */
  async requireAccess(user: CurrentUser, projectId: string): Promise<Project> {
    const projects = await this.list(user);
    const project = projects.find((p) => p.id === projectId);
    if (!project) throw new NotFoundException('No such project among yours. Pick one from GET /api/v1/projects.');
    return project;
  }

  async create(user: CurrentUser, req: CreateProjectRequest): Promise<Project> {
    const candidates = user.organizations.filter((o) => MANAGE_PROJECTS.has(o.role));
    const org = req.organizationId ? candidates.find((o) => o.id === req.organizationId) : candidates[0];
    if (!org) {
      throw new ForbiddenException(
        req.organizationId
          ? 'You cannot create projects in that organization: it takes an owner or admin of it.'
          : 'You cannot create projects: it takes an owner or admin of an organization.',
      );
    }
    const row = await this.projects.create({ organizationId: org.id, name: req.name, settings: { allowedOrigins: req.allowedOrigins ?? ['*'] } });
    return toProject(row);
  }
}

export function toProject(p: ProjectEntity): Project {
  return {
    id: p.id,
    organizationId: p.organizationId,
    name: p.name,
    publicKey: p.publicKey,
    allowedOrigins: p.settings.allowedOrigins ?? [],
    createdAt: p.createdAt.toISOString(),
  };
}
