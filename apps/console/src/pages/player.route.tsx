import { useEffect, useState } from 'react';
import { LoadingScreen } from '../auth';

type PlayerModule = typeof import('./player.page');
let loaded: PlayerModule | null = null;
let loading: Promise<PlayerModule> | null = null;

/** The player page and rrweb, loaded apart from the rest of the console and fetched ahead where it helps. */
export function loadPlayerPage(): Promise<PlayerModule> {
  loading ??= import('./player.page').then(
    (m) => (loaded = m),
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/**
 * The player route. Not `React.lazy` under `Suspense`: React holds back a Suspense reveal for up to
 * 300 ms to batch it with others, and here those milliseconds are the time to the first frame.
 */
export function PlayerRoute() {
  const [page, setPage] = useState<PlayerModule | null>(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (page) return;
    let live = true;
    loadPlayerPage().then(
      (m) => live && setPage(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [page]);
  if (failed) {
    return (
      <p className="alert" role="alert">
        The player could not be loaded, perhaps because Loupe was updated meanwhile. Reload the page to try again.
      </p>
    );
  }
  if (!page) return <LoadingScreen label="Loading the player…" />;
  return <page.default />;
}
