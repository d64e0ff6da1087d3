import { Global, Module } from '@nestjs/common';
import { ProjectKeys } from './project-keys';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

@Global()
@Module({ controllers: [ProjectsController], providers: [ProjectsRepository, ProjectsService, ProjectKeys], exports: [ProjectsRepository, ProjectsService, ProjectKeys] })
export class ProjectsModule {}
