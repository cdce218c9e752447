import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import {
  CarrierRejectedError,
  CarrierUnavailableError,
  NotFoundError,
} from '../../common/errors/domain-error';
import { retryOnConflict } from '../../common/retry-on-conflict';
import { maskMdn } from '../../logging/mask';
import { networkKind, type Network } from '../../lines/domain/networks';
import { LinesRepository } from '../../lines/persistence/lines.repository';
import { ChangeLineStatus } from '../../lines/usecases/change-line-status.usecase';
import { CarrierClients } from '../carrier-clients';

export type RequestOutcome = 'requested' | 'deferred' | 'refused';

/**
 * Asks the line's carrier to provision it. The idempotency key is stored on the line
 * before the call, so a retry (here, or by the job after a failure) reuses it and the
 * carrier cannot provision twice. The carrier answers later through its callback.
 */
@Injectable()
export class RequestCarrierProvisioning {
  private readonly logger = new Logger(RequestCarrierProvisioning.name);

  constructor(
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly carriers: CarrierClients,
    private readonly clock: Clock,
  ) {}

  async execute(userId: string, network: Network, mdn: string): Promise<RequestOutcome> {
    const key = await this.recordIntent(userId, network);
    try {
      await this.carriers.gateway(network).requestProvisioning({ mdn, idempotencyKey: key });
      await this.markRequested(userId, network, key);
      return 'requested';
    } catch (error) {
      if (error instanceof CarrierRejectedError) {
        await this.markRefused(userId, network, key, error);
        return 'refused';
      }
      if (error instanceof CarrierUnavailableError) {
        // Left with its key and no request time: the retry job sends it again.
        this.logger.warn(`Provisioning ${maskMdn(mdn)} on ${network} deferred: ${error.message}`);
        return 'deferred';
      }
      throw error;
    }
  }

  /**
   * Stores the request's key before the call, and for Verizon moves the line to Pending
   * provisioning first: the carrier's callback can arrive before the call returns, and
   * must find the line already waiting for it.
   */
  private recordIntent(userId: string, network: Network): Promise<string> {
    return retryOnConflict(async () => {
      const line = await this.lines.find(userId, network);
      if (!line) throw new NotFoundError(`User ${userId} has no ${network} line`);
      if (line.carrierRequestId) return line.carrierRequestId;
      const key = `${line.id}:provision:${line.sequence}`;
      const flow = { carrierRequestId: key, carrierRequestedAt: null };
      if (networkKind(network) === 'opt-in' && line.status !== 'PENDING_PROVISIONING') {
        await this.changeLineStatus.execute({
          userId,
          network,
          to: 'PENDING_PROVISIONING',
          source: 'SYSTEM',
          detail: `carrier request ${key}`,
          flow: () => flow,
        });
      } else {
        await this.lines.updateFlow(line, flow);
      }
      return key;
    });
  }

  /** Starts the answer clock, unless the carrier's callback has already settled the request. */
  private async markRequested(userId: string, network: Network, key: string): Promise<void> {
    const requestedAt = this.clock.now();
    await retryOnConflict(async () => {
      const line = await this.lines.find(userId, network);
      if (line?.carrierRequestId === key)
        await this.lines.updateFlow(line, { carrierRequestedAt: requestedAt });
    });
  }

  private async markRefused(
    userId: string,
    network: Network,
    key: string,
    error: CarrierRejectedError,
  ): Promise<void> {
    const line = await this.lines.find(userId, network);
    if (line?.carrierRequestId !== key) return;
    const to = networkKind(network) === 'opt-in' ? 'UNABLE_TO_PROVISION' : 'DISABLED';
    await this.changeLineStatus.execute({
      userId,
      network,
      to,
      reason: 'Carrier refused the request',
      source: 'SYSTEM',
      detail: error.message,
      flow: () => ({ carrierRequestId: null, carrierRequestedAt: null }),
    });
  }
}
