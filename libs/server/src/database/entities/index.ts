import { AppUserEntity } from './app-user.entity';
import { LoginSessionEntity } from './login-session.entity';
import { LoginThrottleEntity } from './login-throttle.entity';
import { MembershipEntity } from './membership.entity';
import { OrganizationEntity } from './organization.entity';
import { ProjectEntity } from './project.entity';

export { AppUserEntity, LoginSessionEntity, LoginThrottleEntity, MembershipEntity, OrganizationEntity, ProjectEntity };
export type { StoredProjectSettings } from './project.entity';

export const ENTITIES = [OrganizationEntity, AppUserEntity, MembershipEntity, ProjectEntity, LoginSessionEntity, LoginThrottleEntity];
