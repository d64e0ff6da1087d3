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

export const FunnelsPage = () => (
  <WaitingForSessions
    title="Funnels"
    description="The steps you expect people to take, such as product, cart and checkout, and how many give up at each one, with the sessions behind every drop-off."
    waiting="Define a funnel from the pages and events of recorded visits; none have been recorded for this project yet."
  />
);

export const ExperimentsPage = () => (
  <WaitingForSessions
    title="Experiments"
    description="Which variant of a page wins, and by how much: lift, confidence intervals and a warning when traffic is not split as planned."
    waiting="Results appear once your site reports which variant each visitor saw, with Loupe.exposure(key, variant)."
  />
);
