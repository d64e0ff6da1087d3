import { Controller, Headers, HttpCode, Options, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiConsumes, ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FeedbackImpressionSchema, FeedbackSubmissionSchema, type FeedbackAccepted } from '@loupe/contracts';
import { allowCaller } from '../ingest/ingest.controller';
import { FeedbackIntakeService } from './feedback-intake.service';

const keyQuery = ApiQuery({ name: 'key', description: "The project's public key (or the X-Loupe-Key header).", required: false });

/** Pages on any allowed origin post here with the public key; CORS reflects the caller, as for ingest. */
@ApiTags('ingest')
@Controller('v1/feedback')
export class FeedbackIntakeController {
  constructor(private readonly intake: FeedbackIntakeService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: "Store a visitor's answer to a survey",
    description:
      'Sent by the feedback widget with the session, visitor, page, the moment in the recording and the variants the visitor saw. JSON, as application/json or text/plain (which needs no CORS preflight). A retry with the same `id` stores nothing.',
  })
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({ schema: z.toJSONSchema(FeedbackSubmissionSchema, { io: 'input', unrepresentable: 'any' }) as object })
  @ApiAcceptedResponse({ description: '`{"accepted":true,"duplicate":false}`' })
  @ApiBadRequestResponse({ description: 'Malformed JSON, a score outside the survey\'s scale, a comment over 2,000 characters.' })
  @ApiUnauthorizedResponse({ description: 'Unknown key.' })
  @ApiNotFoundResponse({ description: 'No such survey in the key\'s project.' })
  @ApiConflictResponse({ description: 'The survey is a draft.' })
  @keyQuery
  answer(@Req() req: FastifyRequest, @Query('key') queryKey: string | undefined, @Headers('x-loupe-key') headerKey: string | undefined): Promise<FeedbackAccepted> {
    return this.intake.answer({ key: headerKey ?? queryKey, origin: req.headers.origin, userAgent: req.headers['user-agent'], body: req.body });
  }

  @Post('impressions')
  @HttpCode(202)
  @ApiOperation({ summary: 'Record that a survey was shown, or closed without an answer', description: 'For the response rate (answers per survey shown). A retry with the same `id` and kind stores nothing.' })
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({ schema: z.toJSONSchema(FeedbackImpressionSchema, { io: 'input', unrepresentable: 'any' }) as object })
  @ApiAcceptedResponse({ description: '`{"accepted":true,"duplicate":false}`' })
  @keyQuery
  impression(@Req() req: FastifyRequest, @Query('key') queryKey: string | undefined, @Headers('x-loupe-key') headerKey: string | undefined): Promise<FeedbackAccepted> {
    return this.intake.impression({ key: headerKey ?? queryKey, origin: req.headers.origin, userAgent: req.headers['user-agent'], body: req.body });
  }

  @Options()
  @HttpCode(204)
  preflight(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    allowPost(req, reply);
  }

  @Options('impressions')
  @HttpCode(204)
  impressionPreflight(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    allowPost(req, reply);
  }
}

function allowPost(req: FastifyRequest, reply: FastifyReply): void {
  allowCaller(req, reply);
  void reply.header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-allow-headers', 'content-type, x-loupe-key').header('access-control-max-age', '86400');
}
