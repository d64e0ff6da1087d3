import { Foundation1763800000000 } from './1763800000000-foundation';
import { Recordings1763900000000 } from './1763900000000-recordings';
import { ProjectSettingsSections1763950000000 } from './1763950000000-project-settings-sections';
import { Feedback1764300000000 } from './1764300000000-feedback';

/** In order. Listed by hand so that a bundled build carries them without a file glob. */
export const MIGRATIONS = [Foundation1763800000000, Recordings1763900000000, ProjectSettingsSections1763950000000, Feedback1764300000000];
