import { Global, Module } from '@nestjs/common';
import { ApiKeysRepository } from '../accounts/api-keys';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionGuard } from './session.guard';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard],
  exports: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard],
})
export class AuthModule {}
