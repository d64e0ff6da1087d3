import { z } from 'zod';

export const HealthStatus = z.object({
  status: z.enum(['ok', 'error']),
  database: z.string(),
  queue: z.string(),
});
export type HealthStatus = z.infer<typeof HealthStatus>;
