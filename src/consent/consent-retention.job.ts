import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { ConsentConfig } from '../config/config';
import { ConsentLedgerRepository } from './persistence/consent-ledger.repository';

/** The purge reads the whole ledger: hourly at most is plenty for a retention of years. */
const AT_MOST_EVERY_MS = 3_600_000;

/**
 * Removes the records past CONSENT_RETENTION_YEARS through purge_consent_entries (the
 * service itself may not delete a ledger row; the function, owned by the migrations'
 * owner, may). Idempotent, so replicas running it at once do no harm.
 */
@Injectable()
export class ConsentRetentionJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('consent') private readonly config: ConsentConfig,
    private readonly ledger: ConsentLedgerRepository,
    private readonly clock: Clock,
  ) {
    super(registry, Math.max(config.cleanupIntervalSeconds * 1000, AT_MOST_EVERY_MS));
  }

  protected pass(): Promise<number> {
    const cutoff = new Date(this.clock.now());
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - this.config.retentionYears);
    return this.ledger.purge(cutoff);
  }
}
