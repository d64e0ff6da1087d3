import { Foundation1763800000000 } from './1763800000000-foundation';

/** In order. Listed by hand so that a bundled build carries them without a file glob. */
export const MIGRATIONS = [Foundation1763800000000];
