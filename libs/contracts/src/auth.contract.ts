import { z } from 'zod';

export const LoginRequest = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address, such as admin@example.com' })),
  password: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const Role = z.enum(['owner', 'admin', 'member', 'viewer']);
export type Role = z.infer<typeof Role>;

export const CurrentUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  organizations: z.array(z.object({ id: z.string(), name: z.string(), role: Role })),
  /** Present when the caller is an API key: it acts in this one project, at this scope, and nowhere else. */
  apiKey: z.object({ id: z.string(), name: z.string(), projectId: z.string(), scope: z.enum(['read', 'write', 'admin']) }).optional(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
  newPassword: z.string().min(10, 'must be at least 10 characters').max(1024, 'must be at most 1024 characters'),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

export const PasswordResetRequest = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address, such as admin@example.com' })),
});
export type PasswordResetRequest = z.infer<typeof PasswordResetRequest>;

export const ChooseNewPasswordRequest = z.strictObject({
  password: z.string().min(10, 'must be at least 10 characters').max(1024, 'must be at most 1024 characters'),
});
export type ChooseNewPasswordRequest = z.infer<typeof ChooseNewPasswordRequest>;
