import { Module } from '@nestjs/common';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';

/** Experiment analysis; storing experiments, assignment and exposures will live here too. */
@Module({ controllers: [ExperimentsController], providers: [ExperimentsService] })
export class ExperimentsModule {}
