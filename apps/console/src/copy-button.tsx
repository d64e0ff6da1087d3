import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/** A button that copies `text`, and says in a status line whether the browser let it. */
export function CopyButton({ text, label, what = 'the text' }: { text: string; label: string; what?: string }) {
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return;
    const timer = setTimeout(() => setCopy('idle'), 4000);
    return () => clearTimeout(timer);
  }, [copy]);

  return (
    <div className="snippet-actions">
      <button type="button" className="button" onClick={() => copyText(text).then((ok) => setCopy(ok ? 'copied' : 'failed'))}>
        {label}
      </button>
      <span className="snippet-status" role="status">
        {copy === 'copied' && 'Copied to the clipboard.'}
        {copy === 'failed' && `The browser did not allow copying: select ${what} and copy it yourself.`}
      </span>
    </div>
  );
}

export async function copyText(text: string): Promise<boolean> {
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
