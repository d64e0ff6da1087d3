import type { Project } from '@loupe/contracts';
import { useEffect, useState } from 'react';

/** What a site adds to its pages to start recording for `project`; `origin` is this Loupe server. */
export function installSnippet(project: Pick<Project, 'publicKey'>, origin: string): string {
  return `<script src="${origin}/sdk/loupe.js"></script>\n<script>Loupe.init({ key: '${project.publicKey}', endpoint: '${origin}' })</script>`;
}

type CopyState = 'idle' | 'copied' | 'failed';

export function InstallSnippet({ project }: { project: Project }) {
  const snippet = installSnippet(project, window.location.origin);
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return;
    const timer = setTimeout(() => setCopy('idle'), 4000);
    return () => clearTimeout(timer);
  }, [copy]);

  return (
    <div className="snippet">
      <pre className="snippet-code">
        <code>{snippet}</code>
      </pre>
      <div className="snippet-actions">
        <button type="button" className="button" onClick={() => copyText(snippet).then((ok) => setCopy(ok ? 'copied' : 'failed'))}>
          Copy snippet
        </button>
        <span className="snippet-status" role="status">
          {copy === 'copied' && 'Copied to the clipboard.'}
          {copy === 'failed' && 'The browser did not allow copying: select the snippet and copy it yourself.'}
        </span>
      </div>
    </div>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The Clipboard API needs a secure context (https or localhost); a Loupe server reached over
    // plain http on a LAN address is not one, and there only the older command still works.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
