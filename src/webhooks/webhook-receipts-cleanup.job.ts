import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { WebhooksConfig } from '../config/config';
import { WebhookReceiptsRepository } from './webhook-receipts.repository';

const HOUR_MS = 60 * 60 * 1000;
/** Small deletes, so the job never holds many row locks or a long transaction. */
const BATCH = 5_000;

/** Forgets delivery ids once no sender would retry them any more. */
@Injectable()
export class WebhookReceiptsCleanupJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('webhooks') private readonly config: WebhooksConfig,
    private readonly receipts: WebhookReceiptsRepository,
    private readonly clock: Clock,
  ) {
    super(registry, config.cleanupIntervalSeconds * 1000);
  }

  protected async pass(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.receiptRetentionHours * HOUR_MS);
    let deleted = 0;
    for (;;) {
      const batch = await this.receipts.deleteClaimedBefore(before, BATCH);
      deleted += batch;
      if (batch < BATCH) return deleted;
    }
  }
}
