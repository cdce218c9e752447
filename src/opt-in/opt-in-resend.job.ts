import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LineQueuesRepository } from '../lines/persistence/line-queues.repository';
import { VerizonOptInService } from './verizon-opt-in.service';

const BATCH = 200;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Texts again the subscribers who have not answered validly, once per interval, up to
 * the send cap; also sends first texts that could not go out when the line was created.
 * After the cap a line waits for an administrator to start a new round.
 */
@Injectable()
export class OptInResendJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: LineQueuesRepository,
    private readonly optIn: VerizonOptInService,
    private readonly clock: Clock,
  ) {
    super(registry, config.jobsIntervalSeconds * 1000);
  }

  async run(): Promise<number> {
    const now = this.clock.now().getTime();
    const due = await this.queues.optInTextsDue(
      {
        retryFirstBefore: new Date(now - this.config.jobsIntervalSeconds * 1000),
        resendBefore: new Date(now - this.config.optIn.resendIntervalHours * HOUR_MS),
        maxSends: this.config.optIn.maxSends,
      },
      BATCH,
    );
    let sent = 0;
    for (const line of due) if (await this.optIn.sendOptIn(line.userId, line.mdn)) sent++;
    return sent;
  }
}
