import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { InjectConfig } from '../config/config.module';
import type { IdempotencyConfig } from '../config/config';
import { KEY_TTL_MS } from './idempotent.decorator';
import { IdempotencyRepository } from './idempotency.repository';

/** Forgets keys after a day: a retry later than that is a new request. */
@Injectable()
export class IdempotencyKeysCleanupJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('idempotency') config: IdempotencyConfig,
    private readonly keys: IdempotencyRepository,
    private readonly clock: Clock,
  ) {
    super(registry, config.cleanupIntervalSeconds * 1000);
  }

  protected pass(): Promise<number> {
    return this.keys.deleteBefore(new Date(this.clock.now().getTime() - KEY_TTL_MS));
  }
}
