import { Global, Module } from '@nestjs/common';
import { ApiKeysRepository } from '../accounts/api-keys';
import { RateLimits } from '../http/rate-limits';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionGuard } from './session.guard';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard, RateLimits],
  exports: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard, RateLimits],
})
export class AuthModule {}
