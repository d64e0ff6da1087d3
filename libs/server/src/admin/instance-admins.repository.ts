import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** The instance administrator flag of `app_user`: read on every admin request, set at first run. */
@Injectable()
export class InstanceAdminsRepository {
  constructor(private readonly db: DataSource) {}

  async isInstanceAdmin(userId: string): Promise<boolean> {
    const rows: Array<{ instance_admin: boolean }> = await this.db.query('SELECT instance_admin FROM app_user WHERE id = $1', [userId]);
    return rows[0]?.instance_admin === true;
  }

  /** Within the first run's transaction: the account made from LOUPE_ADMIN_EMAIL administers the instance. */
  async grant(m: EntityManager, userId: string): Promise<void> {
    await m.query('UPDATE app_user SET instance_admin = true WHERE id = $1', [userId]);
  }
}
