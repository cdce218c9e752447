import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import { retryOnConflict } from '../common/retry-on-conflict';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { canMove } from '../lines/domain/status-machine';
import { LineQueuesRepository } from '../lines/persistence/line-queues.repository';
import { LinesRepository } from '../lines/persistence/lines.repository';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';
import { RequestCarrierProvisioning } from './usecases/request-carrier-provisioning.usecase';

const BATCH = 200;

/** Sends again the provisioning requests a carrier could not take (down, breaker open). */
@Injectable()
export class RetryCarrierRequestsJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly queues: LineQueuesRepository,
    private readonly request: RequestCarrierProvisioning,
  ) {
    super(registry, config.jobsIntervalSeconds * 1000);
  }

  async run(): Promise<number> {
    const pending = await this.queues.awaitingCarrierRequest(BATCH);
    let requested = 0;
    for (const line of pending) {
      const outcome = await this.request.execute(line.userId, line.network, line.mdn);
      if (outcome === 'requested') requested++;
    }
    return requested;
  }
}

/** A carrier that has not answered a request in time leaves the line Not Communicating. */
@Injectable()
export class NotCommunicatingJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: LineQueuesRepository,
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly clock: Clock,
  ) {
    super(registry, config.jobsIntervalSeconds * 1000);
  }

  async run(): Promise<number> {
    const minutes = this.config.carriers.answerTimeoutMinutes;
    const deadline = new Date(this.clock.now().getTime() - minutes * 60_000);
    const overdue = await this.queues.carrierAnswerOverdue(deadline, BATCH);
    for (const { userId, network } of overdue) {
      await retryOnConflict(async () => {
        const line = await this.lines.find(userId, network);
        if (!line?.carrierRequestedAt || line.carrierRequestedAt >= deadline) return;
        const cleared = { carrierRequestId: null, carrierRequestedAt: null };
        if (!canMove(line.network, line.status, 'NOT_COMMUNICATING')) {
          await this.lines.updateFlow(line, cleared);
          return;
        }
        await this.changeLineStatus.execute({
          userId,
          network: line.network,
          to: 'NOT_COMMUNICATING',
          source: 'SYSTEM',
          detail: `no answer from the carrier within ${minutes} minutes`,
          flow: () => cleared,
        });
      });
    }
    return overdue.length;
  }
}
