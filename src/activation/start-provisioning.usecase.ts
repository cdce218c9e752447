import { Injectable, Logger } from '@nestjs/common';
import { CarrierClients } from '../carriers/carrier-clients';
import { RequestCarrierProvisioning } from '../carriers/usecases/request-carrier-provisioning.usecase';
import { Clock } from '../common/clock';
import { CarrierUnavailableError, NotFoundError } from '../common/errors/domain-error';
import { maskMdn } from '../logging/mask';
import { isValidMobile } from '../lines/domain/mdn';
import { networkKind, type Network } from '../lines/domain/networks';
import { FAILURE_REASONS } from '../lines/domain/network-status';
import { LinesRepository } from '../lines/persistence/lines.repository';
import { UsersRepository } from '../lines/persistence/users.repository';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';
import { VerizonOptInService } from '../opt-in/verizon-opt-in.service';

export interface StartProvisioningResult {
  network: Network | null;
  outcome:
    | 'opt-in-sent'
    | 'opt-in-deferred'
    | 'invalid-number'
    | 'requested'
    | 'deferred'
    | 'refused'
    | 'network-unknown';
}

/**
 * A provisioning request for one user: Verizon lines go through the SMS opt-in, other
 * networks straight to the carrier. Without a network, the number lookup says which.
 */
@Injectable()
export class StartProvisioning {
  private readonly logger = new Logger(StartProvisioning.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly carriers: CarrierClients,
    private readonly optIn: VerizonOptInService,
    private readonly requestProvisioning: RequestCarrierProvisioning,
    private readonly clock: Clock,
  ) {}

  async execute(userId: string, requested?: Network): Promise<StartProvisioningResult> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError(`No user ${userId}`);
    const network = requested ?? (await this.lookUp(user.mdn));
    if (!network) return { network: null, outcome: 'network-unknown' };
    await this.lines.create(userId, network, this.clock.now());

    if (networkKind(network) !== 'opt-in') {
      return { network, outcome: await this.requestProvisioning.execute(userId, network, user.mdn) };
    }
    await this.changeLineStatus.execute({
      userId,
      network,
      to: 'NEW_REQUEST',
      source: 'API',
      // A new request starts a new round of opt-in texts.
      flow: () => ({
        optInSends: 0,
        optInLastSentAt: null,
        optedOut: false,
        carrierRequestId: null,
        carrierRequestedAt: null,
      }),
    });
    if (!isValidMobile(user.mdn)) {
      await this.changeLineStatus.execute({
        userId,
        network,
        to: 'UNABLE_TO_PROVISION',
        reason: FAILURE_REASONS.INVALID_NUMBER,
        source: 'SYSTEM',
        detail: 'the number cannot be a mobile line',
      });
      return { network, outcome: 'invalid-number' };
    }
    const sent = await this.optIn.sendOptIn(userId, user.mdn);
    return { network, outcome: sent ? 'opt-in-sent' : 'opt-in-deferred' };
  }

  private async lookUp(mdn: string): Promise<Network | undefined> {
    try {
      return await this.carriers.lookup.networkOf(mdn);
    } catch (error) {
      if (!(error instanceof CarrierUnavailableError)) throw error;
      this.logger.warn(`Number lookup for ${maskMdn(mdn)} failed: ${error.message}`);
      return undefined;
    }
  }
}
