import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';
import { useProjectRights } from './feedback.page';
import { PageKeysPanel } from './page-key-settings';
import { SignalThresholdsPanel } from './signal-thresholds';

/** Settings › Signals and pages: what the analysis of each session counts as frustration, and how it names pages. */
export function SignalSettingsPage() {
  const project = useProject();
  const { canAdmin } = useProjectRights(project);
  useDocumentTitle('Signals and pages', 'Settings', project.name);
  return (
    <>
      <PageHeading description="When a recording counts as a frustration signal, and how URLs are grouped into pages. A change applies to sessions analysed after it.">Signals and pages</PageHeading>
      <SignalThresholdsPanel project={project} canAdmin={canAdmin} />
      <PageKeysPanel project={project} canAdmin={canAdmin} />
    </>
  );
}
