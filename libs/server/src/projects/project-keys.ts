import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ProjectsRepository } from './projects.repository';
import { readSettings } from './projects.service';

export interface KeyedProject {
  id: string;
  allowedOrigins: string[];
  /** Whether visits keep their country. */
  coarseLocation: boolean;
}

const NOT_FOUND = { id: '', allowedOrigins: [], coarseLocation: false } satisfies KeyedProject;

/**
 * Public keys looked up on every ingest request, so they are cached for a few seconds: a revoked
 * key stops working within that time, and a flood of bad keys costs one query per key.
 */
@Injectable()
export class ProjectKeys {
  private readonly cache = new LRUCache<string, KeyedProject>({ max: 10_000, ttl: 10_000 });

  constructor(private readonly projects: ProjectsRepository) {}

  async find(key: string | undefined): Promise<KeyedProject | null> {
    if (!key || !/^pk_[A-Za-z0-9_-]{10,64}$/.test(key)) return null;
    let hit = this.cache.get(key);
    if (!hit) {
      const p = await this.projects.findByPublicKey(key);
      const settings = p ? readSettings(p.settings) : null;
      hit = p && settings ? { id: p.id, allowedOrigins: settings.recording.allowedOrigins, coarseLocation: settings.privacy.coarseLocation } : NOT_FOUND;
      this.cache.set(key, hit);
    }
    return hit.id ? hit : null;
  }
}

export function originAllowed(project: KeyedProject, origin: string | undefined): boolean {
  if (project.allowedOrigins.includes('*')) return true;
  return !!origin && project.allowedOrigins.some((o) => o.replace(/\/$/, '') === origin);
}
