import { useEffect, useRef, type ReactNode } from 'react';

export function useDocumentTitle(...parts: string[]): void {
  const title = [...parts, 'Loupe'].filter(Boolean).join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/**
 * The heading of a page. It takes focus when the page opens so that a screen reader announces the
 * new page after a client-side navigation, as it would after a full page load.
 */
export function PageHeading({ children, description }: { children: string; description?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, [children]);
  return (
    <header className="page-header">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {description && <p className="page-description">{description}</p>}
    </header>
  );
}

/** What a page shows while there is nothing to show yet, and what makes it fill up. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
