import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSettings } from '../projects/projects.service';

/**
 * The longest retention among projects: what storage shared by every project (monthly partitions)
 * must keep. `floorDays` (the installation's own minimum) wins when it is longer.
 */
@Injectable()
export class LongestRetention {
  constructor(private readonly db: DataSource) {}

  async days(floorDays: number): Promise<number> {
    const projects: Array<{ settings: Record<string, unknown> }> = await this.db.query('SELECT settings FROM project');
    return projects.reduce((longest, p) => Math.max(longest, readSettings(p.settings).retention.days), floorDays);
  }
}
