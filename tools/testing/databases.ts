import { inject } from 'vitest';

export interface DatabaseShape {
  /** `embedded` (PGlite, as `npm start` runs it) or `server` (a PostgreSQL server). */
  name: 'embedded' | 'server';
  url: string;
}

/** The database shapes this run can test; the server one is present whenever CI runs. */
export function databaseShapes(): DatabaseShape[] {
  const shapes: DatabaseShape[] = [{ name: 'embedded', url: inject('embeddedDatabaseUrl') }];
  const server = inject('serverDatabaseUrl');
  if (server) shapes.push({ name: 'server', url: server });
  return shapes;
}

export const redisUrl = () => inject('redisUrl');
export const serverDatabaseUrl = () => inject('serverDatabaseUrl');
