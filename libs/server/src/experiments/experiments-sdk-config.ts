import { Injectable } from '@nestjs/common';
import type { ExperimentsSdkConfig } from '@loupe/contracts';
import { SdkConfigSection, type SdkConfigProvider } from '../sdk-config/sdk-config-section';
import { ExperimentsRepository } from './experiments.repository';

/** The `experiments` section of `GET /v1/config`: keys and weights of running experiments, what `Loupe.getVariant` assigns from. */
@Injectable()
@SdkConfigSection('experiments')
export class ExperimentsSdkConfigSection implements SdkConfigProvider {
  constructor(private readonly experiments: ExperimentsRepository) {}

  async forProject(projectId: string): Promise<ExperimentsSdkConfig> {
    return { experiments: await this.experiments.running(projectId) };
  }
}
