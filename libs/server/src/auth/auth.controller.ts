import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChangePasswordRequest, LoginRequest, type CurrentUser as User } from '@loupe/contracts';
import { Inject } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { ZodPipe } from '../http/zod.pipe';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { CurrentUser, SessionGuard } from './session.guard';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(LoginRequest, { io: 'input' }) as object })
  @ApiOkResponse({ description: 'Logged in; the session cookie is set.' })
  @ApiUnauthorizedResponse({ description: 'The email or password is not right.' })
  @ApiTooManyRequestsResponse({ description: 'Too many failures for this email; see Retry-After.' })
  async login(@Body(new ZodPipe(LoginRequest)) body: LoginRequest, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { token, expiresAt } = await this.auth.login(body, { userAgent: req.headers['user-agent']?.slice(0, 300) ?? null, clientIp: req.ip });
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.auth.cookieSecure,
      path: '/',
      expires: expiresAt,
    });
    const user = await this.auth.userForToken(token);
    return { user };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session is ended and the cookie cleared.' })
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logout(req.cookies?.[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Post('password')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  @ApiOperation({ summary: 'Change your password', description: 'Takes the current password; every other login of the account ends, this one stays.' })
  @ApiBody({ schema: z.toJSONSchema(ChangePasswordRequest) as object })
  @ApiForbiddenResponse({ description: 'The current password is not right.' })
  changePassword(@CurrentUser() user: User, @Req() req: FastifyRequest, @Body(new ZodPipe(ChangePasswordRequest)) body: ChangePasswordRequest) {
    return this.auth.changePassword(user, req.cookies?.[SESSION_COOKIE], body);
  }

  @Post('logout-everywhere')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  @ApiOperation({ summary: 'Log out everywhere', description: 'Ends every login of the account, on every device, this one included.' })
  async logoutEverywhere(@CurrentUser() user: User, @Res({ passthrough: true }) reply: FastifyReply) {
    const ended = await this.auth.logoutEverywhere(user);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return ended;
  }

  @Get('me')
  @UseGuards(SessionGuard)
  @ApiOkResponse({ description: 'The logged-in user and their organizations.' })
  me(@CurrentUser() user: User): { user: User } {
    return { user };
  }
}
