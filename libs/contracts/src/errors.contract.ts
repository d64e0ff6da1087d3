import { z } from 'zod';

/** Every error the API answers has this shape, so clients can show `message` to a person. */
export const ApiError = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  /** For validation errors: each offending field with what it must be. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;
