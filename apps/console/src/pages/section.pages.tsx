import { Link } from 'react-router';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

/** A section that fills up from recorded sessions: until there are some, it says what it will show. */
function WaitingForSessions({ title, description, waiting }: { title: string; description: string; waiting: string }) {
  const project = useProject();
  useDocumentTitle(title, project.name);
  return (
    <>
      <PageHeading description={description}>{title}</PageHeading>
      <EmptyState title="Nothing to show yet">
        <p>{waiting}</p>
        <p>
          <Link to={`/p/${project.id}/sessions`}>Install the snippet</Link> on your site to start recording.
        </p>
      </EmptyState>
    </>
  );
}

export const HeatmapsPage = () => (
  <WaitingForSessions
    title="Heatmaps"
    description="Where people click, how their cursor moves and how far they scroll, drawn over your real pages, for each device and each variant."
    waiting="Heatmaps appear for a page once visits to it have been recorded."
  />
);
