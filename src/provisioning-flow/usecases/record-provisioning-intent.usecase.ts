import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ReconcileSignal } from '../../common/reconcile-signal';
import type { Network } from '../../lines/domain/networks';
import { FlowRepository } from '../flow.repository';

/**
 * "Provision this line": recorded, and answered. The reconciler does the work (lookup,
 * texts, the carrier request) and sees it through any crash; the signal only saves it
 * from waiting for its next poll.
 */
@Injectable()
export class RecordProvisioningIntent {
  constructor(
    private readonly lines: FlowRepository,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
  ) {}

  async execute(userId: string, network: Network, options: { finishLookup?: boolean } = {}): Promise<void> {
    await this.lines.recordProvisioningIntent(
      userId,
      network,
      this.clock.now(),
      options.finishLookup ?? false,
    );
    this.signal.raise();
  }
}
