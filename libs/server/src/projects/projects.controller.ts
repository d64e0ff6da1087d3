import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateProjectRequest, ProjectSettingsPatch, type CurrentUser as User, type Project, type ProjectSettings } from '@loupe/contracts';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ZodPipe } from '../http/zod.pipe';
import { ProjectsService } from './projects.service';

/** A malformed id is answered like an unknown one. */
const projectId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No such project among yours. Pick one from GET /api/v1/projects.') });

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

  @Get(':id/settings')
  @ApiOperation({ summary: "A project's settings", description: 'Every section, with defaults filled in for what was never set.' })
  async settings(@CurrentUser() user: User, @Param('id', projectId) id: string): Promise<{ settings: ProjectSettings }> {
    return { settings: await this.projects.settings(user, id) };
  }

  @Patch(':id/settings')
  @ApiOperation({ summary: "Change some of a project's settings", description: 'Name the sections and fields to change; the rest stays as it was. Admins and owners only.' })
  @ApiBody({ schema: z.toJSONSchema(ProjectSettingsPatch, { io: 'input', unrepresentable: 'any' }) as object })
  async updateSettings(
    @CurrentUser() user: User,
    @Param('id', projectId) id: string,
    @Body(new ZodPipe(ProjectSettingsPatch)) patch: ProjectSettingsPatch,
  ): Promise<{ settings: ProjectSettings }> {
    return { settings: await this.projects.updateSettings(user, id, patch) };
  }
}
