import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import {
  mergeSettings,
  PROJECT_SETTINGS_SECTIONS,
  readProjectSettings,
  type CreateProjectRequest,
  type CurrentUser,
  type Project,
  type ProjectSettings,
  type ProjectSettingsPatch,
  type Role,
} from '@loupe/contracts';
import type { ProjectEntity, StoredProjectSettings } from '../database/entities';
import { invalidRequest } from '../http/zod.pipe';
import { AuditLog } from '../accounts/audit-log';
import { ProjectsRepository } from './projects.repository';

/**
 * What a request needs to do with a project: read its data (every role), change what the team
 * builds on it such as funnels, experiments and surveys (members and up), or administer it: keys,
 * settings, people (admins and owners).
 */
export type Access = 'read' | 'write' | 'admin';

const GRANTS: Record<Role, ReadonlySet<Access>> = {
  viewer: new Set(['read']),
  member: new Set(['read', 'write']),
  admin: new Set(['read', 'write', 'admin']),
  owner: new Set(['read', 'write', 'admin']),
};

/** In an organization: see its members (any role), manage members, invitations and the audit log (admins), or the organization itself (owners). */
export type OrganizationAccess = 'read' | 'admin' | 'owner';

const ORGANIZATION_GRANTS: Record<Role, ReadonlySet<OrganizationAccess>> = {
  viewer: new Set(['read']),
  member: new Set(['read']),
  admin: new Set(['read', 'admin']),
  owner: new Set(['read', 'admin', 'owner']),
};

const ORGANIZATION_NEEDS: Record<OrganizationAccess, string> = {
  read: 'any role in it',
  admin: 'the admin or owner role in it',
  owner: 'the owner role in it',
};

const NEEDS: Record<Access, string> = {
  read: 'any role in its organization',
  write: 'the member, admin or owner role in its organization',
  admin: 'the admin or owner role in its organization',
};

@Injectable()
export class ProjectsService {
  /**
   * Workers read a project's settings for every session they analyse: kept 10 s, so a change
   * reaches every process within that time (and this one at once).
   */
  private readonly settingsCache = new LRUCache<string, ProjectSettings>({ max: 1000, ttl: 10_000 });

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly audit: AuditLog,
  ) {}

  /** The projects the caller sees: those of their organizations, or an API key's one project. */
  async list(user: CurrentUser): Promise<Project[]> {
    const rows = await this.projects.listForOrganizations(user.organizations.map((o) => o.id));
    return rows.filter((p) => !user.apiKey || p.id === user.apiKey.projectId).map(toProject);
  }

  /**
   * The caller's role in an organization when it grants `need`. An organization that is not the
   * caller's is a 404; an API key acts within its project only, so organization business is a 403.
   */
  requireOrganization(user: CurrentUser, organizationId: string, need: OrganizationAccess): { id: string; name: string; role: Role } {
    const org = user.organizations.find((o) => o.id === organizationId);
    if (!org) throw new NotFoundException('No such organization among yours. See yours in GET /api/v1/auth/me.');
    if (user.apiKey) throw new ForbiddenException('An API key acts within its project only: managing an organization takes a console login.');
    if (!ORGANIZATION_GRANTS[org.role].has(need)) {
      throw new ForbiddenException(`Your role cannot do this in organization "${org.name}": it takes ${ORGANIZATION_NEEDS[need]}.`);
    }
    return org;
  }

  /**
   * The project, when the user may do `need` with it. A project outside the user's organizations
   * is a 404, so that its id cannot be told from one that does not exist; a project the user can
   * see but not change is a 403 that names the role it takes.
   */
  async requireAccess(user: CurrentUser, projectId: string, need: Access = 'read'): Promise<Project> {
    const projects = await this.list(user);
    const project = projects.find((p) => p.id === projectId);
    if (!project) throw new NotFoundException('No such project among yours. Pick one from GET /api/v1/projects.');
    const role = user.organizations.find((o) => o.id === project.organizationId)?.role;
    if (!role || !GRANTS[role].has(need)) throw new ForbiddenException(`Your role cannot do this in project "${project.name}": it takes ${NEEDS[need]}.`);
    return project;
  }

  async create(user: CurrentUser, req: CreateProjectRequest): Promise<Project> {
    if (user.apiKey) throw new ForbiddenException('An API key acts within its project only: creating a project takes a console login.');
    // An organization named that is not the caller's is a 404, like any id of someone else's.
    const org = req.organizationId ? this.requireOrganization(user, req.organizationId, 'admin') : user.organizations.find((o) => ORGANIZATION_GRANTS[o.role].has('admin'));
    if (!org) throw new ForbiddenException('You cannot create projects: it takes the owner or admin role in an organization.');
    const row = await this.projects.create({ organizationId: org.id, name: req.name, settings: { recording: { allowedOrigins: req.allowedOrigins ?? ['*'] } } });
    await this.audit.record(user, { organizationId: org.id, projectId: row.id, action: 'project.created', target: row.id, details: { name: row.name } });
    return toProject(row);
  }

  async settings(user: CurrentUser, projectId: string): Promise<ProjectSettings> {
    await this.requireAccess(user, projectId);
    return this.settingsOf(projectId);
  }

  /** The settings a worker applies to a project's data: every section, defaults filled in. */
  async settingsOf(projectId: string): Promise<ProjectSettings> {
    const cached = this.settingsCache.get(projectId);
    if (cached) return cached;
    const row = await this.projects.findById(projectId);
    const settings = readSettings(row?.settings ?? {});
    this.settingsCache.set(projectId, settings);
    return settings;
  }

  async updateSettings(user: CurrentUser, projectId: string, patch: ProjectSettingsPatch): Promise<ProjectSettings> {
    const project = await this.requireAccess(user, projectId, 'admin');
    const current = await this.settingsOf(projectId);
    const changed: StoredProjectSettings = {};
    for (const [name, fields] of Object.entries(patch) as Array<[keyof ProjectSettings, Record<string, unknown> | undefined]>) {
      if (!fields) continue;
      // The merged section is validated as a whole: what the change names and what it keeps.
      const merged = PROJECT_SETTINGS_SECTIONS[name].schema.safeParse(mergeSettings(current[name], fields));
      if (!merged.success) throw invalidRequest(merged.error.issues, [name]);
      changed[name] = merged.data;
    }
    if (Object.keys(changed).length) {
      await this.projects.saveSettingsSections(projectId, changed);
      await this.audit.record(user, { organizationId: project.organizationId, projectId, action: 'project.settings_changed', target: projectId, details: { sections: Object.keys(changed) } });
    }
    this.settingsCache.delete(projectId);
    return { ...current, ...changed } as ProjectSettings;
  }
}

export const readSettings = (stored: StoredProjectSettings): ProjectSettings => readProjectSettings(stored);

export function toProject(p: ProjectEntity): Project {
  return {
    id: p.id,
    organizationId: p.organizationId,
    name: p.name,
    publicKey: p.publicKey,
    allowedOrigins: readSettings(p.settings).recording.allowedOrigins,
    createdAt: p.createdAt.toISOString(),
  };
}
