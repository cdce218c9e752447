import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { ConsentLedger } from '../../consent/consent-ledger';
import { FlowRepository } from '../flow.repository';
import { ledgerLine } from '../flow-steps';

/**
 * After the subscriber revoked consent, only this starts texting them again: an
 * administrator's explicit act, with a reason, recorded in the consent ledger before the
 * opt-out is lifted and a new round begins.
 */
@Injectable()
export class StartRoundAfterRevocation {
  constructor(
    private readonly lines: FlowRepository,
    private readonly consent: ConsentLedger,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
  ) {}

  async execute(userId: string, actor: string, reason: string): Promise<void> {
    const line = await this.lines.findOfUser(userId, 'verizon');
    if (!line) throw new NotFoundError('The user has no verizon line');
    if (!line.optedOut) {
      throw new ConflictError('The subscriber has not revoked consent: provision the line or resend instead');
    }
    const now = this.clock.now();
    await this.consent.record(ledgerLine(line), {
      kind: 'ROUND_RESTARTED',
      source: 'ADMIN',
      occurredAt: now,
      actor,
      messageText: reason,
      // Each restart raises the round: one entry per restart, however often it is retried.
      dedupeKey: `${line.id}:round-restarted:${line.round}`,
    });
    await this.lines.restartAfterRevocation(line, now);
    this.signal.raise();
  }
}
