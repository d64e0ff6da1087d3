import { Injectable } from '@nestjs/common';
import type { SurveysSdkConfig } from '@loupe/contracts/feedback';
import { SdkConfigSection, type SdkConfigProvider } from '../sdk-config/sdk-config-section';
import { SurveysRepository } from './surveys.repository';
import { toPublicSurvey } from './surveys.service';

/** The `surveys` section of `GET /v1/config`: the project's running surveys, as the widget needs them. */
@Injectable()
@SdkConfigSection('surveys')
export class SurveysSdkConfigSection implements SdkConfigProvider {
  constructor(private readonly surveys: SurveysRepository) {}

  async forProject(projectId: string): Promise<SurveysSdkConfig> {
    return { surveys: (await this.surveys.running(projectId)).map(toPublicSurvey) };
  }
}
