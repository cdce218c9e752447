import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { retryOnStaleWrite } from '../../common/retry-on-stale-write';
import { FlowRepository } from '../flow.repository';

const SENDABLE = new Set(['NEW_REQUEST', 'OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE']);

/** An administrator starts a new round of opt-in texts after the cap was reached. */
@Injectable()
export class StartOptInRound {
  constructor(
    private readonly lines: FlowRepository,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
  ) {}

  async execute(userId: string): Promise<void> {
    await retryOnStaleWrite(async () => {
      const line = await this.lines.findOfUser(userId, 'verizon');
      if (!line) throw new NotFoundError('The user has no verizon line');
      if (line.optedOut) {
        throw new ConflictError(
          'The subscriber opted out: no more texts can be sent (an administrator may start a new round: POST …/consent/new-round)',
        );
      }
      if (!SENDABLE.has(line.status) || line.desired !== 'PROVISIONED') {
        throw new ConflictError(`The line is ${line.status}, not waiting for an opt-in reply`);
      }
      await this.lines.restartTexts(line, this.clock.now());
    });
    this.signal.raise();
  }
}
