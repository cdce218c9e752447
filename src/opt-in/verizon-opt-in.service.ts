import { Inject, Injectable, Logger } from '@nestjs/common';
import { CarrierClients } from '../carriers/carrier-clients';
import { Clock } from '../common/clock';
import { CarrierUnavailableError, ConflictError, NotFoundError } from '../common/errors/domain-error';
import { retryOnConflict } from '../common/retry-on-conflict';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { maskMdn } from '../logging/mask';
import { Metrics } from '../metrics/metrics.service';
import type { LineRecord } from '../lines/persistence/line-record';
import { LinesRepository } from '../lines/persistence/lines.repository';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';

const SENDABLE = new Set(['NEW_REQUEST', 'OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE']);

/**
 * Texts the subscriber Verizon's opt-in request. The line is claimed first (an optimistic
 * write of the send time), so two replicas never text the same round twice; the send
 * and its count are recorded as a move to Opt-in Sent.
 */
@Injectable()
export class VerizonOptInService {
  private readonly logger = new Logger(VerizonOptInService.name);

  constructor(
    private readonly lines: LinesRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly carriers: CarrierClients,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Sends the next opt-in text; returns false when the line is not waiting for one. */
  async sendOptIn(userId: string, mdn: string): Promise<boolean> {
    const claimed = await this.claim(userId);
    if (!claimed) return false;
    const { line, previousSentAt } = claimed;
    const count = line.optInSends + 1;
    try {
      await this.carriers.sms.send(mdn, this.config.optIn.text, `${line.id}:opt-in:${line.sequence}`);
      this.metrics.optInTextsSent.inc();
    } catch (error) {
      if (!(error instanceof CarrierUnavailableError)) throw error;
      this.logger.warn(`Opt-in text to ${maskMdn(mdn)} not sent: ${error.message}`);
      // Give the claim back so the next pass tries again.
      await retryOnConflict(async () => {
        const current = await this.lines.find(userId, 'verizon');
        if (current) await this.lines.updateFlow(current, { optInLastSentAt: previousSentAt });
      });
      return false;
    }
    await this.changeLineStatus.execute({
      userId,
      network: 'verizon',
      to: 'OPT_IN_SENT',
      source: 'OPT_IN_SEND',
      detail: `opt-in text ${count} of ${this.config.optIn.maxSends}`,
      flow: () => ({ optInSends: count }),
    });
    return true;
  }

  /** An administrator starts a new round of texts. */
  async startNewRound(userId: string, mdn: string): Promise<void> {
    await retryOnConflict(async () => {
      const line = await this.lines.find(userId, 'verizon');
      if (!line) throw new NotFoundError(`User ${userId} has no verizon line`);
      if (line.optedOut) throw new ConflictError('The subscriber opted out: no more texts can be sent');
      if (!SENDABLE.has(line.status)) {
        throw new ConflictError(`The line is ${line.status}, not waiting for an opt-in reply`);
      }
      await this.lines.updateFlow(line, { optInSends: 0, optInLastSentAt: null });
    });
    if (!(await this.sendOptIn(userId, mdn))) {
      throw new CarrierUnavailableError('The opt-in text could not be sent now; it will be retried');
    }
  }

  private async claim(
    userId: string,
  ): Promise<{ line: LineRecord; previousSentAt: Date | null } | undefined> {
    try {
      const line = await this.lines.find(userId, 'verizon');
      if (!line || line.optedOut || !SENDABLE.has(line.status)) return undefined;
      if (line.optInSends >= this.config.optIn.maxSends) return undefined;
      const claimed = await this.lines.updateFlow(line, { optInLastSentAt: this.clock.now() });
      return { line: claimed, previousSentAt: line.optInLastSentAt };
    } catch (error) {
      // Another replica claimed it first: that one sends.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }
}
