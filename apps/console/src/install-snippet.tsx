import type { Project } from '@loupe/contracts';
import { CopyButton } from './copy-button';

/** What a site adds to its pages to start recording for `project`; `origin` is this Loupe server. */
export function installSnippet(project: Pick<Project, 'publicKey'>, origin: string): string {
  return `<script src="${origin}/sdk/loupe.js"></script>\n<script>Loupe.init({ key: '${project.publicKey}', endpoint: '${origin}' })</script>`;
}

export function InstallSnippet({ project }: { project: Project }) {
  const snippet = installSnippet(project, window.location.origin);
  return (
    <div className="snippet">
      <pre className="snippet-code">
        <code>{snippet}</code>
      </pre>
      <CopyButton text={snippet} label="Copy snippet" what="the snippet" />
    </div>
  );
}
