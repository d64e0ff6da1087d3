import { Module } from '@nestjs/common';
import { PeopleController } from './people.controller';
import { PeopleRepository } from './people.repository';
import { PeopleService } from './people.service';

/** Data subject requests over the api. */
@Module({ controllers: [PeopleController], providers: [PeopleRepository, PeopleService] })
export class PrivacyModule {}
