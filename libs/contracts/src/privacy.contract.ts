import { z } from 'zod';

/** A person as the SDK knows them: the id the site passed to `Loupe.identify`, or the visitor id. */
export const PersonId = z.string().trim().min(1, 'must be a user id or a visitor id').max(100, 'must be at most 100 characters');
