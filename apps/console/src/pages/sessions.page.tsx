import { InstallSnippet } from '../install-snippet';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

export function SessionsPage() {
  const project = useProject();
  useDocumentTitle('Sessions', project.name);
  return (
    <>
      <PageHeading description="Every recorded visit to your site, newest first, with its pages, clicks, errors and signs of frustration. Filter them and watch the ones that matter.">
        Sessions
      </PageHeading>
      <EmptyState title="No sessions recorded yet">
        <p>
          Add this snippet to every page of your site, just before <code>&lt;/body&gt;</code>. Visits show up here a few seconds after they
          start.
        </p>
        <InstallSnippet project={project} />
        <p className="muted small">
          The key in the snippet can only send recordings to <strong>{project.name}</strong>; it cannot read anything back.
        </p>
      </EmptyState>
    </>
  );
}
