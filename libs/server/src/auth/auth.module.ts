import { Global, Module } from '@nestjs/common';
import { ApiKeysRepository } from '../accounts/api-keys';
import { RateLimits } from '../http/rate-limits';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { Mailer } from './mailer';
import { PasswordResets } from './password-resets';
import { SessionGuard } from './session.guard';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard, RateLimits, Mailer, PasswordResets],
  exports: [AccountsRepository, ApiKeysRepository, AuthService, SessionGuard, RateLimits, Mailer],
})
export class AuthModule {}
