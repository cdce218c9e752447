import { Module } from '@nestjs/common';
import { LinesModule } from '../lines/lines.module';
import { TasksModule } from '../tasks/tasks.module';
import { ExportConsentTask } from './consent-export.task';
import { ConsentLedger } from './consent-ledger';
import { ConsentExporter } from './consent-export';
import { ConsentRetentionJob } from './consent-retention.job';
import { ConsentController } from './http/consent.controller';
import { ConsentLedgerRepository } from './persistence/consent-ledger.repository';
import { ConsentTemplatesRepository } from './persistence/consent-templates.repository';
import { SubscriberTextsRepository } from './persistence/subscriber-texts.repository';

/**
 * The consent record of the Verizon opt-in: the append-only ledger per line, the
 * organisation's wording with its versions, and the texts owed to subscribers. The
 * provisioning flow records through ConsentLedger and sends the owed texts.
 */
@Module({
  imports: [LinesModule, TasksModule],
  controllers: [ConsentController],
  providers: [
    ConsentLedger,
    ConsentLedgerRepository,
    ConsentTemplatesRepository,
    SubscriberTextsRepository,
    ConsentRetentionJob,
    ConsentExporter,
    ExportConsentTask,
  ],
  exports: [ConsentLedger, ConsentExporter],
})
export class ConsentModule {}
