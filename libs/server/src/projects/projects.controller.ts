import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateProjectRequest, type CurrentUser as User, type Project } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ZodPipe } from '../http/zod.pipe';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@Controller('api/v1/projects')
@UseGuards(SessionGuard)
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @ApiOkResponse({ description: 'The projects of your organizations, with their public ingest keys.' })
  async list(@CurrentUser() user: User): Promise<{ projects: Project[] }> {
    return { projects: await this.projects.list(user) };
  }

  @Post()
  @ApiBody({ schema: z.toJSONSchema(CreateProjectRequest, { io: 'input' }) as object })
  @ApiCreatedResponse({ description: 'The new project with its public key.' })
  async create(@CurrentUser() user: User, @Body(new ZodPipe(CreateProjectRequest)) body: CreateProjectRequest): Promise<{ project: Project }> {
    return { project: await this.projects.create(user, body) };
  }
}
