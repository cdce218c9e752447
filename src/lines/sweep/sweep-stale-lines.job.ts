import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../../common/periodic-job';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { SweepStaleLines } from './sweep-stale-lines.usecase';

/** Runs the staleness sweep on its interval. */
@Injectable()
export class SweepStaleLinesJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('lines') config: LinesConfig,
    private readonly sweep: SweepStaleLines,
  ) {
    super(registry, config.sweepIntervalSeconds * 1000);
  }

  protected pass(): Promise<number> {
    return this.sweep.execute();
  }
}
