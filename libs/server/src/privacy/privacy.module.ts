import { Module } from '@nestjs/common';
import { PeopleController } from './people.controller';
import { PeopleRepository } from './people.repository';
import { PeopleService } from './people.service';
import { PrivacySdkConfigSection } from './privacy-sdk-config';

/** Data subject requests over the api, and the project's privacy settings for the SDK. */
@Module({ controllers: [PeopleController], providers: [PeopleRepository, PeopleService, PrivacySdkConfigSection] })
export class PrivacyModule {}
