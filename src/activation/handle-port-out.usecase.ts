import { Injectable } from '@nestjs/common';
import { CarrierClients } from '../carriers/carrier-clients';
import { NotFoundError } from '../common/errors/domain-error';
import { maskMdn } from '../logging/mask';
import type { Network } from '../lines/domain/networks';
import { FAILURE_REASONS } from '../lines/domain/network-status';
import { canMove } from '../lines/domain/status-machine';
import { LinesRepository } from '../lines/persistence/lines.repository';
import { UsersRepository } from '../lines/persistence/users.repository';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';
import { StartProvisioning } from './start-provisioning.usecase';

/**
 * The number moved to another network: the old line is disabled (Ported Out) and
 * provisioning starts on the network the lookup now gives.
 */
@Injectable()
export class HandlePortOut {
  constructor(
    private readonly users: UsersRepository,
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly carriers: CarrierClients,
    private readonly startProvisioning: StartProvisioning,
  ) {}

  async execute(from: Network, mdn: string, occurredAt: Date): Promise<{ newNetwork: Network | null }> {
    const user = await this.users.findByMdn(mdn);
    const line = user ? await this.lines.find(user.id, from) : undefined;
    if (!user || !line) throw new NotFoundError(`No ${from} line for ${maskMdn(mdn)}`);
    if (canMove(from, line.status, 'DISABLED')) {
      await this.changeLineStatus.execute({
        userId: user.id,
        network: from,
        to: 'DISABLED',
        reason: FAILURE_REASONS.PORTED_OUT,
        source: 'CARRIER_CALLBACK',
        occurredAt,
        flow: () => ({ carrierRequestId: null, carrierRequestedAt: null }),
      });
    }
    const now = await this.carriers.lookup.networkOf(mdn);
    if (!now || now === from) return { newNetwork: null };
    await this.startProvisioning.execute(user.id, now);
    return { newNetwork: now };
  }
}
