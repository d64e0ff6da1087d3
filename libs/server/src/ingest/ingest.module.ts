import { Module } from '@nestjs/common';
import { RecordingsModule } from '../recordings/recordings.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({ imports: [RecordingsModule], controllers: [IngestController], providers: [IngestService] })
export class IngestModule {}
