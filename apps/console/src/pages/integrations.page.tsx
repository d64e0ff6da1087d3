import { Forwarding } from '../feedback/forwarding';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';
import { AlertSettings } from './alert-settings';
import { useProjectRights } from './feedback.page';

/** Settings › Integrations: where this project's alerts and survey answers are sent. */
export function IntegrationsPage() {
  const project = useProject();
  const { canAdmin } = useProjectRights(project);
  useDocumentTitle('Integrations', 'Settings', project.name);
  return (
    <>
      <PageHeading description="Messages this project sends to your team's chat: frustration alerts and new survey answers, as Slack-compatible webhooks.">Integrations</PageHeading>
      <AlertSettings project={project} canAdmin={canAdmin} />
      <Forwarding project={project} canAdmin={canAdmin} />
    </>
  );
}
