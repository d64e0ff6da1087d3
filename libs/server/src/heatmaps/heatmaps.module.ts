import { Module } from '@nestjs/common';
import { HeatmapsController } from './heatmaps.controller';
import { HeatmapsRepository } from './heatmaps.repository';
import { HeatmapsService } from './heatmaps.service';

@Module({ controllers: [HeatmapsController], providers: [HeatmapsRepository, HeatmapsService] })
export class HeatmapsModule {}
