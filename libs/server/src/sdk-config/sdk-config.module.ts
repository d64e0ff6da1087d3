import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SdkConfigController } from './sdk-config.controller';
import { SdkConfigService } from './sdk-config.service';

/** `GET /v1/config`: the public part of a project's settings, assembled from each domain's section. */
@Global()
@Module({ imports: [DiscoveryModule], controllers: [SdkConfigController], providers: [SdkConfigService], exports: [SdkConfigService] })
export class SdkConfigModule {}
