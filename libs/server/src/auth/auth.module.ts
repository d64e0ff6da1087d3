import { Global, Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionGuard } from './session.guard';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AccountsRepository, AuthService, SessionGuard],
  exports: [AccountsRepository, AuthService, SessionGuard],
})
export class AuthModule {}
