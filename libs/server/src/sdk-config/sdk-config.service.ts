import { ForbiddenException, Injectable, UnauthorizedException, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import type { SdkConfig } from '@loupe/contracts/recording';
import { originAllowed, ProjectKeys } from '../projects/project-keys';
import { ProjectsService } from '../projects/projects.service';
import { SDK_CONFIG_SECTION, type SdkConfigProvider } from './sdk-config-section';

/**
 * Assembles what the SDK needs from the server from every registered section. Pages ask on every
 * load, so a project's answer is kept for a few seconds: a change reaches visitors within that
 * time plus the SDK's own cache.
 */
@Injectable()
export class SdkConfigService implements OnApplicationBootstrap {
  private providers: Array<[string, SdkConfigProvider]> = [];
  private readonly cache = new LRUCache<string, SdkConfig>({ max: 5_000, ttl: 10_000 });

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly keys: ProjectKeys,
    private readonly projects: ProjectsService,
  ) {}

  onApplicationBootstrap(): void {
    const found = new Map<string, SdkConfigProvider>();
    for (const { instance, metatype } of this.discovery.getProviders()) {
      if (!instance || !metatype) continue;
      const name = Reflect.getMetadata(SDK_CONFIG_SECTION, metatype) as string | undefined;
      if (!name) continue;
      if (found.has(name)) throw new Error(`Two providers answer the SDK configuration section "${name}".`);
      found.set(name, instance as SdkConfigProvider);
    }
    this.providers = [...found].sort(([a], [b]) => a.localeCompare(b));
  }

  async forKey(key: string | undefined, origin: string | undefined): Promise<SdkConfig> {
    const project = await this.keys.find(key);
    if (!project) throw new UnauthorizedException('Unknown project key. Copy the key from the project settings into Loupe.init({ key }).');
    if (!originAllowed(project, origin)) throw new ForbiddenException(`This project does not take recordings from ${origin ?? 'pages without an origin'}. Add the origin to the project's allowed origins.`);
    let config = this.cache.get(project.id);
    if (!config) {
      config = await this.build(project.id);
      this.cache.set(project.id, config);
    }
    return config;
  }

  private async build(projectId: string): Promise<SdkConfig> {
    const settings = await this.projects.settingsOf(projectId);
    const config: SdkConfig = { v: 1 };
    for (const [name, provider] of this.providers) config[name] = await provider.forProject(projectId, settings);
    return config;
  }
}
