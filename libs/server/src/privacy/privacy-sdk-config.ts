import { Injectable } from '@nestjs/common';
import type { ProjectSettings } from '@loupe/contracts';
import { SdkConfigSection, type SdkConfigProvider } from '../sdk-config/sdk-config-section';

/**
 * The `privacy` section of `GET /v1/config`: the project's masking on top of the page's own, and
 * whether a browser's Do Not Track or Global Privacy Control stops recording. Public by nature: it
 * says what is hidden, never what was recorded.
 */
@Injectable()
@SdkConfigSection('privacy')
export class PrivacySdkConfigSection implements SdkConfigProvider {
  forProject(_projectId: string, settings: ProjectSettings): Omit<ProjectSettings['privacy'], 'coarseLocation'> {
    // Location is read on the server; the recorder has nothing to do with it.
    const { coarseLocation: _, ...forRecorder } = settings.privacy;
    return forRecorder;
  }
}
