import { Foundation1763800000000 } from './1763800000000-foundation';
import { Recordings1763900000000 } from './1763900000000-recordings';
import { ProjectSettingsSections1763950000000 } from './1763950000000-project-settings-sections';
import { SignalsAndPages1764000000000 } from './1764000000000-signals-and-pages';
import { Alerts1764010000000 } from './1764010000000-alerts';
import { InstanceAdmin1764100000000 } from './1764100000000-instance-admin';
import { Feedback1764300000000 } from './1764300000000-feedback';
import { Funnels1764400000000 } from './1764400000000-funnels';
import { Experiments1764500000000 } from './1764500000000-experiments';
import { Heatmaps1764600000000 } from './1764600000000-heatmaps';
import { Accounts1764700000000 } from './1764700000000-accounts';
import { Privacy1764750000000 } from './1764750000000-privacy';
import { TimePartitions1764900000000 } from './1764900000000-time-partitions';
import { PasswordResets1765000000000 } from './1765000000000-password-resets';
import { SessionCountry1765100000000 } from './1765100000000-session-country';
import { FeedbackForwarding1765150000000 } from './1765150000000-feedback-forwarding';

/** In order. Listed by hand so that a bundled build carries them without a file glob. */
export const MIGRATIONS = [
  Foundation1763800000000,
  Recordings1763900000000,
  ProjectSettingsSections1763950000000,
  SignalsAndPages1764000000000,
  Alerts1764010000000,
  InstanceAdmin1764100000000,
  Feedback1764300000000,
  Funnels1764400000000,
  Experiments1764500000000,
  Heatmaps1764600000000,
  Accounts1764700000000,
  Privacy1764750000000,
  TimePartitions1764900000000,
  PasswordResets1765000000000,
  SessionCountry1765100000000,
  FeedbackForwarding1765150000000,
];
