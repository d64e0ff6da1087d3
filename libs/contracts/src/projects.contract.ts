import { z } from 'zod';

export const CreateProjectRequest = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  organizationId: z.uuid({ message: 'must be the id of one of your organizations' }).optional(),
  allowedOrigins: z
    .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/, message: 'must be an origin such as https://shop.example.com' })]))
    .max(50)
    .optional(),
});
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

export const Project = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  /** The write-only key a site puts in its snippet; it can send recordings and nothing else. */
  publicKey: z.string(),
  allowedOrigins: z.array(z.string()),
  createdAt: z.string(),
});
export type Project = z.infer<typeof Project>;
