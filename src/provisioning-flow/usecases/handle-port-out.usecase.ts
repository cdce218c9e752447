import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { maskMdn } from '../../logging/mask';
import type { Network } from '../../lines/domain/networks';
import { FAILURE_REASONS } from '../../lines/domain/network-status';
import { canMove } from '../../lines/domain/status-machine';
import { ChangeLineStatus } from '../../lines/usecases/change-line-status.usecase';
import { LineLookup } from '../../lines/usecases/line-lookup.usecase';
import { NOTHING_IN_FLIGHT, toColumns } from '../domain/in-flight';
import { FlowRepository } from '../flow.repository';

/**
 * The number moved to another network: the old line is disabled (Ported Out) and a
 * lookup is queued; the reconciler finds the new network and provisions it there. If the
 * process dies between the two writes, the carrier's retry of this delivery does the rest
 * (the line is already disabled, so only the lookup is queued).
 */
@Injectable()
export class HandlePortOut {
  constructor(
    private readonly lines: LineLookup,
    private readonly flow: FlowRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
  ) {}

  async execute(from: Network, mdn: string, occurredAt: Date): Promise<{ lookup: 'queued' }> {
    const line = await this.lines.findByMdn(mdn, from);
    if (!line) throw new NotFoundError(`No ${from} line for ${maskMdn(mdn)}`);
    if (canMove(from, line.status, 'DISABLED')) {
      await this.changeLineStatus.execute({
        userId: line.userId,
        network: from,
        to: 'DISABLED',
        reason: FAILURE_REASONS.PORTED_OUT,
        source: 'CARRIER_CALLBACK',
        occurredAt,
        flow: () => ({ ...toColumns(NOTHING_IN_FLIGHT), desired: 'DISABLED' as const, reconcileAt: null }),
      });
    }
    await this.flow.queueLookup(line.userId, this.clock.now());
    this.signal.raise();
    return { lookup: 'queued' };
  }
}
