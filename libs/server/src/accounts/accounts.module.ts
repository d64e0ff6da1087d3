import { Module } from '@nestjs/common';
import { ApiKeysController, InvitationsController, OrganizationsController } from './accounts.controller';
import { ApiKeysService } from './api-keys.service';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

/** Teams and machine access for the api: members, invitations, API keys and the audit log. */
@Module({
  controllers: [OrganizationsController, InvitationsController, ApiKeysController],
  providers: [OrganizationsRepository, OrganizationsService, ApiKeysService],
})
export class AccountsModule {}
