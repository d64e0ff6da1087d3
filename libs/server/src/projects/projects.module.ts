import { Global, Module } from '@nestjs/common';
import { AuditLog } from '../accounts/audit-log';
import { ProjectKeys } from './project-keys';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

/** Projects and their settings, for every process: workers read settings, the api checks access. */
@Global()
@Module({ providers: [ProjectsRepository, ProjectsService, ProjectKeys, AuditLog], exports: [ProjectsRepository, ProjectsService, ProjectKeys, AuditLog] })
export class ProjectsCoreModule {}

/** The projects API, for the api process only (its guard needs the auth module). */
@Module({ imports: [ProjectsCoreModule], controllers: [ProjectsController] })
export class ProjectsModule {}
