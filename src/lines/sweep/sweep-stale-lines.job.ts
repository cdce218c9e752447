import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../../common/periodic-job';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { SweepStaleLines } from './sweep-stale-lines.usecase';

/** Runs the staleness sweep on its interval. */
@Injectable()
export class SweepStaleLinesJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sweep: SweepStaleLines,
  ) {
    super(registry, config.events.sweepIntervalSeconds * 1000);
  }

  run(): Promise<number> {
    return this.sweep.execute();
  }
}
