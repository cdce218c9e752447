import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { WebhooksConfig } from '../config/config';
import { WebhookInboxRepository } from './inbox/webhook-inbox.repository';

const HOUR_MS = 60 * 60 * 1000;
/** Small deletes, so the job never holds many row locks or a long transaction. */
const BATCH = 5_000;

/** Forgets applied deliveries' ids once no sender would retry them any more (pending ones stay). */
@Injectable()
export class WebhookReceiptsCleanupJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('webhooks') private readonly config: WebhooksConfig,
    private readonly receipts: WebhookInboxRepository,
    private readonly clock: Clock,
  ) {
    super(registry, config.cleanupIntervalSeconds * 1000);
  }

  protected async pass(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.receiptRetentionHours * HOUR_MS);
    let deleted = 0;
    for (;;) {
      const batch = await this.receipts.deleteCompletedBefore(before, BATCH);
      deleted += batch;
      if (batch < BATCH) return deleted;
    }
  }
}
