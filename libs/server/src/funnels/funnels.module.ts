import { Module } from '@nestjs/common';
import { FunnelsController } from './funnels.controller';
import { FunnelsRepository } from './funnels.repository';
import { FunnelsService } from './funnels.service';

@Module({ controllers: [FunnelsController], providers: [FunnelsRepository, FunnelsService] })
export class FunnelsModule {}
