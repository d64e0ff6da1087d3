import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { ProjectEntity, type StoredProjectSettings } from '../database/entities';

/** A public key is safe to publish in a page: it can only send recordings to its project. */
export const newPublicKey = () => `pk_${randomBytes(18).toString('base64url')}`;

@Injectable()
export class ProjectsRepository {
  constructor(private readonly db: DataSource) {}

  listForOrganizations(organizationIds: string[]): Promise<ProjectEntity[]> {
    if (organizationIds.length === 0) return Promise.resolve([]);
    return this.db.getRepository(ProjectEntity).find({ where: { organizationId: In(organizationIds) }, order: { createdAt: 'ASC' } });
  }

  create(p: { organizationId: string; name: string; settings: StoredProjectSettings }, m: EntityManager = this.db.manager): Promise<ProjectEntity> {
    return m.getRepository(ProjectEntity).save({ ...p, publicKey: newPublicKey() });
  }

  /** The oldest project: the one made on the first start. */
  async first(): Promise<ProjectEntity | null> {
    const [project] = await this.db.getRepository(ProjectEntity).find({ order: { createdAt: 'ASC' }, take: 1 });
    return project ?? null;
  }

  findByPublicKey(publicKey: string): Promise<ProjectEntity | null> {
    return this.db.getRepository(ProjectEntity).findOneBy({ publicKey });
  }

  findById(id: string): Promise<ProjectEntity | null> {
    return this.db.getRepository(ProjectEntity).findOneBy({ id });
  }

  /**
   * Writes the sections given, whole, in one statement; sections not named keep what they held,
   * even when two admins save different sections at the same moment.
   */
  async saveSettingsSections(id: string, sections: StoredProjectSettings): Promise<void> {
    await this.db.query('UPDATE project SET settings = settings || $2::jsonb WHERE id = $1', [id, JSON.stringify(sections)]);
  }
}
