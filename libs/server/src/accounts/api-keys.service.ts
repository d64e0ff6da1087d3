import { Injectable, NotFoundException } from '@nestjs/common';
import type { ApiKey, CreateApiKeyRequest, CurrentUser } from '@loupe/contracts';
import { ProjectsService } from '../projects/projects.service';
import { ApiKeysRepository, newApiKeySecret } from './api-keys';
import { AuditLog } from './audit-log';

/** A project's API keys: admins make, list and revoke them; the secret is shown once, when made. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly projects: ProjectsService,
    private readonly audit: AuditLog,
  ) {}

  async list(user: CurrentUser, projectId: string): Promise<ApiKey[]> {
    await this.projects.requireAccess(user, projectId, 'admin');
    return this.keys.list(projectId);
  }

  async create(user: CurrentUser, projectId: string, req: CreateApiKeyRequest): Promise<{ apiKey: ApiKey; secret: string }> {
    const project = await this.projects.requireAccess(user, projectId, 'admin');
    const secret = newApiKeySecret();
    const apiKey = await this.keys.create({ projectId, name: req.name, scope: req.scope, secret, createdBy: user.id });
    await this.audit.record(user, { organizationId: project.organizationId, projectId, action: 'api_key.created', target: apiKey.id, details: { name: apiKey.name, scope: apiKey.scope } });
    return { apiKey, secret };
  }

  async revoke(user: CurrentUser, projectId: string, keyId: string): Promise<ApiKey> {
    const project = await this.projects.requireAccess(user, projectId, 'admin');
    const revoked = await this.keys.revoke(projectId, keyId);
    if (!revoked) throw new NotFoundException('No such API key in this project. See GET /api/v1/projects/:id/api-keys.');
    await this.audit.record(user, { organizationId: project.organizationId, projectId, action: 'api_key.revoked', target: keyId, details: { name: revoked.name } });
    return revoked;
  }
}
