import { z } from 'zod';
import { Role } from './auth.contract';

/** What an API key may do in its project: the same levels as the roles' project access. */
export const ApiKeyScope = z.enum(['read', 'write', 'admin']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  scope: ApiKeyScope,
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKey = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  scope: ApiKeyScope,
  /** The first characters of the secret, to recognise a key without holding it. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const InviteRequest = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address, such as ana@example.com' })).optional(),
  role: Role,
  expiresInHours: z.number().int('must be a whole number of hours').min(1, 'must be at least 1').max(24 * 30, 'must be at most 720 (30 days)').default(72),
});
export type InviteRequest = z.input<typeof InviteRequest>;

export const Invitation = z.object({
  id: z.string(),
  organizationId: z.string(),
  email: z.string().nullable(),
  role: Role,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type Invitation = z.infer<typeof Invitation>;

export const AcceptInvitationRequest = z.strictObject({
  /** For someone without an account yet: the account to create. Ignored when logged in. */
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address, such as ana@example.com' })).optional(),
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional(),
  password: z.string().min(10, 'must be at least 10 characters').max(1024, 'must be at most 1024 characters').optional(),
});
export type AcceptInvitationRequest = z.infer<typeof AcceptInvitationRequest>;

export const Member = z.object({ userId: z.string(), email: z.string(), name: z.string(), role: Role, joinedAt: z.string() });
export type Member = z.infer<typeof Member>;

export const ChangeRoleRequest = z.strictObject({ role: Role });
export type ChangeRoleRequest = z.infer<typeof ChangeRoleRequest>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  projectId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const Organization = z.object({ id: z.string(), name: z.string() });
export type Organization = z.infer<typeof Organization>;

export const RenameOrganizationRequest = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
});
export type RenameOrganizationRequest = z.infer<typeof RenameOrganizationRequest>;
