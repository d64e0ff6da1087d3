import { Global, Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

@Global()
@Module({ controllers: [ProjectsController], providers: [ProjectsRepository, ProjectsService], exports: [ProjectsRepository, ProjectsService] })
export class ProjectsModule {}
