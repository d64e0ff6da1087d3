import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChangePasswordRequest, ChooseNewPasswordRequest, LoginRequest, PasswordResetRequest, type CurrentUser as User } from '@loupe/contracts';
import { Inject } from '@nestjs/common';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { clientKey, RateLimits } from '../http/rate-limits';
import { ZodPipe } from '../http/zod.pipe';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { PasswordResets, RESET_LINK_MINUTES, type PasswordResetPreview } from './password-resets';
import { CurrentUser, SessionGuard } from './session.guard';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResets,
    private readonly limits: RateLimits,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(LoginRequest, { io: 'input' }) as object })
  @ApiOkResponse({ description: 'Logged in; the session cookie is set.' })
  @ApiUnauthorizedResponse({ description: 'The email or password is not right.' })
  @ApiTooManyRequestsResponse({ description: 'Too many failures for this email, or too many attempts from this address; see Retry-After.' })
  async login(@Body(new ZodPipe(LoginRequest)) body: LoginRequest, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.limits.consume('login', clientKey(req.ip));
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

  @Post('password-reset')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Forgot your password: ask for a reset link',
    description: `Sends a link to the address when an account uses it (by email, or written to the server's log when no mail server is configured). The answer is the same whether or not an account uses the address. A link works once, for ${RESET_LINK_MINUTES} minutes; only the newest one works.`,
  })
  @ApiBody({ schema: z.toJSONSchema(PasswordResetRequest, { io: 'input' }) as object })
  @ApiAcceptedResponse({ description: '`{ "message": "…" }`, whether or not an account uses the address.' })
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this address; see Retry-After.' })
  async requestPasswordReset(@Body(new ZodPipe(PasswordResetRequest)) body: PasswordResetRequest, @Req() req: FastifyRequest): Promise<{ message: string }> {
    await this.limits.consume('passwordReset', clientKey(req.ip));
    await this.resets.request(body.email);
    return {
      message: `If an account uses ${body.email}, a link to choose a new password is on its way. It works once, for ${RESET_LINK_MINUTES} minutes. No email? Ask the person who runs this Loupe: without a mail server, they find the link in its log.`,
    };
  }

  @Get('password-reset/:token')
  @ApiOperation({ summary: 'What a reset link is for', description: 'The account it resets and until when it works; the link is the secret.' })
  @ApiNotFoundResponse({ description: 'No such link.' })
  @ApiGoneResponse({ description: 'The link was used already or has expired.' })
  async previewPasswordReset(@Param('token') token: string): Promise<{ reset: PasswordResetPreview }> {
    return { reset: await this.resets.preview(token) };
  }

  @Post('password-reset/:token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Choose a new password with a reset link', description: 'Uses up the link and ends every login of the account; log in with the new password afterwards.' })
  @ApiBody({ schema: z.toJSONSchema(ChooseNewPasswordRequest) as object })
  @ApiNotFoundResponse({ description: 'No such link.' })
  @ApiGoneResponse({ description: 'The link was used already or has expired.' })
  async completePasswordReset(@Param('token') token: string, @Body(new ZodPipe(ChooseNewPasswordRequest)) body: ChooseNewPasswordRequest): Promise<{ email: string; endedSessions: number }> {
    return this.resets.complete(token, body.password);
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
