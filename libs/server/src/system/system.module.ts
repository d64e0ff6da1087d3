import { Module } from '@nestjs/common';
import { PingJob } from './ping.job';

@Module({ providers: [PingJob] })
export class SystemModule {}
