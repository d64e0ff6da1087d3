import { SetMetadata } from '@nestjs/common';
import type { ProjectSettings } from '@loupe/contracts';

export const SDK_CONFIG_SECTION = Symbol('SdkConfigSection');

/**
 * A part of what the browser SDK fetches at start (`GET /v1/config`): a provider marked
 * `@SdkConfigSection('surveys')` whose `forProject` returns that section. What it returns is public:
 * anyone with the page's public key can read it.
 */
export const SdkConfigSection = (name: string) => SetMetadata(SDK_CONFIG_SECTION, name);

export interface SdkConfigProvider {
  forProject(projectId: string, settings: ProjectSettings): Promise<unknown> | unknown;
}
