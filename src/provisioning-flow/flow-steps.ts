import { Injectable, Logger } from '@nestjs/common';
import { CarrierClients } from '../carriers/carrier-clients';
import { Clock } from '../common/clock';
import {
  CarrierRejectedError,
  CarrierUnavailableError,
  StaleWriteError,
} from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { FlowConfig } from '../config/config';
import { maskMdn } from '../logging/mask';
import { Metrics, TEXT_KINDS, type StepOutcome } from '../metrics/metrics.service';
import { FAILURE_REASONS } from '../lines/domain/network-status';
import { networkKind } from '../lines/domain/networks';
import { canMove } from '../lines/domain/status-machine';
import { ChangeLineStatus } from '../lines/usecases/change-line-status.usecase';
import { NOTHING_IN_FLIGHT, toColumns, type SendingCall as Sending } from './domain/in-flight';
import { textSentMove } from './domain/opt-in-text';
import { FlowRepository, type ClaimedLine, type ClaimedLookup } from './flow.repository';
import { RecordProvisioningIntent } from './usecases/record-provisioning-intent.usecase';
import { ConsentLedger, type LedgerLine } from '../consent/consent-ledger';

/** How a step that calls out ended: the call went through, waits for later, or was refused. */
export type CallStepOutcome = Extract<StepOutcome, 'done' | 'deferred' | 'refused'>;

/**
 * The reconciler's steps. Each records what it is about to do before it calls out, then
 * records the outcome, guarded by the call's key: an outcome that arrives after the line
 * moved on (a callback overtook it) changes nothing.
 */
@Injectable()
export class FlowSteps {
  private readonly logger = new Logger(FlowSteps.name);

  constructor(
    private readonly lines: FlowRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly carriers: CarrierClients,
    private readonly provision: RecordProvisioningIntent,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @InjectConfig('flow') private readonly config: FlowConfig,
    private readonly consent: ConsentLedger,
  ) {
    for (const kind of TEXT_KINDS) metrics.optInTextsSent.inc({ kind }, 0);
  }

  /** A Verizon round starts with a New Request and a fresh count of texts. */
  async beginRound(line: ClaimedLine): Promise<void> {
    const now = this.clock.now();
    // A revocation is honoured from then on: only an administrator's new round after it
    // (StartRoundAfterRevocation, recorded in the consent ledger) lifts it.
    const fresh = {
      optInSends: 0,
      optInLastSentAt: null,
      optInUndelivered: 0,
      optInDeliveryProblem: null,
      begunRound: line.round,
      reconcileAt: now,
      ...toColumns(NOTHING_IN_FLIGHT),
    };
    if (line.optedOut) {
      // The subscriber revoked: the round begins and ends here, the line stays as it is.
      await this.lines.recordInFlight(line, NOTHING_IN_FLIGHT, { begunRound: line.round, reconcileAt: now });
      return;
    }
    if (!canMove(line.network, line.status, 'NEW_REQUEST')) {
      // Mid-round already (texts out, waiting): the new request restarts the count.
      await this.lines.recordInFlight(line, NOTHING_IN_FLIGHT, {
        begunRound: line.round,
        reconcileAt: now,
        optInSends: 0,
        optInUndelivered: 0,
        optInDeliveryProblem: null,
      });
      return;
    }
    // The round was asked for by a request (registration, import, an administrator).
    await this.changeLineStatus.execute({
      userId: line.userId,
      network: line.network,
      to: 'NEW_REQUEST',
      source: 'API',
      expect: line,
      flow: () => fresh,
    });
  }

  /** A number that cannot be a mobile line gets no text: the round ends with Invalid Number. */
  async refuseNumber(line: ClaimedLine): Promise<void> {
    await this.changeLineStatus.execute({
      userId: line.userId,
      network: line.network,
      to: 'UNABLE_TO_PROVISION',
      reason: FAILURE_REASONS.INVALID_NUMBER,
      source: 'SYSTEM',
      detail: 'the number cannot be a mobile line',
      expect: line,
      flow: () => ({ reconcileAt: this.clock.now() }),
    });
  }

  async textSubscriber(line: ClaimedLine, count: number): Promise<CallStepOutcome> {
    const now = this.clock.now();
    const inFlight: Sending = {
      kind: 'OPT_IN_TEXT',
      phase: 'SENDING',
      key: `${line.id}:opt-in:${line.sequence}:${count}`,
      since: now,
    };
    await this.lines.recordInFlight(line, inFlight, { optInSends: count, optInLastSentAt: now });
    return this.sendText(line, inFlight, count);
  }

  async requestCarrier(line: ClaimedLine): Promise<CallStepOutcome> {
    const now = this.clock.now();
    const inFlight: Sending = {
      kind: 'CARRIER_REQUEST',
      phase: 'SENDING',
      key: `${line.id}:provision:${line.round}`,
      since: now,
    };
    if (networkKind(line.network) === 'opt-in' && line.status !== 'PENDING_PROVISIONING') {
      // Pending before the call: the carrier's callback may come before the call returns.
      const moved = await this.changeLineStatus.execute({
        userId: line.userId,
        network: line.network,
        to: 'PENDING_PROVISIONING',
        source: 'SYSTEM',
        detail: `carrier request ${inFlight.key}`,
        expect: line,
        flow: () => ({ ...toColumns(inFlight), begunRound: line.round }),
      });
      // The outcome is written against the line as this move left it.
      return this.callCarrier({ ...line, sequence: moved?.sequence ?? line.sequence + 1 }, inFlight);
    }
    await this.lines.recordInFlight(line, inFlight, { begunRound: line.round });
    return this.callCarrier(line, inFlight);
  }

  /** A call whose outcome was lost (a crash, the party down): again, with the same key. */
  async sendAgain(line: ClaimedLine, previous: Sending): Promise<CallStepOutcome> {
    const inFlight: Sending = { ...previous, since: this.clock.now() };
    await this.lines.recordInFlight(line, inFlight, {});
    return inFlight.kind === 'OPT_IN_TEXT'
      ? this.sendText(line, inFlight, line.optInSends)
      : this.callCarrier(line, inFlight);
  }

  /** The carrier took the request and never answered. */
  async giveUpWaiting(line: ClaimedLine): Promise<void> {
    const minutes = this.config.answerTimeoutMinutes;
    const cleared = { ...toColumns(NOTHING_IN_FLIGHT), reconcileAt: this.clock.now() };
    if (!canMove(line.network, line.status, 'NOT_COMMUNICATING')) {
      await this.lines.recordInFlight(line, NOTHING_IN_FLIGHT, { reconcileAt: this.clock.now() });
      return;
    }
    await this.changeLineStatus.execute({
      userId: line.userId,
      network: line.network,
      to: 'NOT_COMMUNICATING',
      source: 'SYSTEM',
      detail: `no answer from the carrier within ${minutes} minutes`,
      expect: line,
      flow: () => cleared,
    });
  }

  /** Finds the network of a user registered without one (or ported out), then provisions it. */
  async lookUp(lookup: ClaimedLookup): Promise<CallStepOutcome> {
    try {
      const network = await this.carriers.lookup.networkOf(lookup.mdn);
      if (network) await this.provision.execute(lookup.userId, network, { finishLookup: true });
      else await this.lines.finishLookup(lookup.userId);
      return 'done';
    } catch (error) {
      // Left due: the claim's lease runs out and a later pass asks again.
      if (!(error instanceof CarrierUnavailableError)) throw error;
      this.logger.warn(`Number lookup for ${maskMdn(lookup.mdn)} failed: ${error.message}`);
      return 'deferred';
    }
  }

  private async sendText(line: ClaimedLine, inFlight: Sending, count: number): Promise<CallStepOutcome> {
    // The organisation's wording in force; its version goes in the ledger with the text.
    const template = await this.consent.template(line.organizationId);
    try {
      const { messageId } = await this.carriers.sms.send(line.mdn, template.optInText, inFlight.key);
      this.metrics.optInTextsSent.inc({ kind: count <= 1 ? 'first' : 'resend' });
      // Keyed by the text's idempotency key: a send repeated after a crash records once.
      await this.consent.record(ledgerLine(line), {
        kind: 'TEXT_SENT',
        source: 'SYSTEM',
        occurredAt: this.clock.now(),
        messageText: template.optInText,
        templateVersion: template.versionId,
        gatewayMessageId: messageId,
        deliveryStatus: 'ACCEPTED',
        dedupeKey: inFlight.key,
      });
    } catch (error) {
      if (error instanceof CarrierRejectedError) {
        await this.finish(
          line,
          inFlight,
          'UNABLE_TO_PROVISION',
          FAILURE_REASONS.INVALID_NUMBER,
          error.message,
        );
        return 'refused';
      }
      return this.later(line, inFlight, error);
    }
    try {
      await this.changeLineStatus.execute({
        userId: line.userId,
        network: line.network,
        expect: line,
        ...textSentMove({ key: inFlight.key, count }, this.config.optIn.maxSends, this.clock.now()),
      });
    } catch (error) {
      if (!(error instanceof StaleWriteError)) throw error;
      // A reply (or a STOP) moved the line while the text was out: re-planning would wait
      // out the retry delay and send it again; it went out, so it is just marked done.
      await this.lines.textDone(line.id, inFlight.key, this.clock.now());
    }
    return 'done';
  }

  private async callCarrier(line: ClaimedLine, inFlight: Sending): Promise<CallStepOutcome> {
    try {
      await this.carriers
        .gateway(line.network)
        .requestProvisioning({ mdn: line.mdn, idempotencyKey: inFlight.key });
    } catch (error) {
      if (error instanceof CarrierRejectedError) {
        const to = networkKind(line.network) === 'opt-in' ? 'UNABLE_TO_PROVISION' : 'DISABLED';
        await this.finish(line, inFlight, to, 'Carrier refused the request', error.message);
        return 'refused';
      }
      return this.later(line, inFlight, error);
    }
    const now = this.clock.now();
    const answerBy = new Date(now.getTime() + this.config.answerTimeoutMinutes * 60_000);
    await this.lines.markAccepted(line.id, inFlight.key, now, answerBy);
    return 'done';
  }

  /** A party refused for good: the round ends here, with the reason. */
  private async finish(
    line: ClaimedLine,
    inFlight: Sending,
    to: 'UNABLE_TO_PROVISION' | 'DISABLED',
    reason: string,
    detail: string,
  ) {
    const now = this.clock.now();
    await this.changeLineStatus.execute({
      userId: line.userId,
      network: line.network,
      to,
      reason,
      source: 'SYSTEM',
      detail,
      expect: line,
      guard: (current) => current.inflightKey === inFlight.key && canMove(line.network, current.status, to),
      flow: () => ({ ...toColumns(NOTHING_IN_FLIGHT), reconcileAt: now }),
    });
  }

  private async later(line: ClaimedLine, inFlight: Sending, error: unknown): Promise<'deferred'> {
    if (!(error instanceof CarrierUnavailableError)) throw error;
    this.logger.warn(
      `${inFlight.kind} for ${maskMdn(line.mdn)} on ${line.network} deferred: ${error.message}`,
    );
    const at = new Date(this.clock.now().getTime() + this.config.retryAfterMs);
    await this.lines.retryLater(line.id, inFlight.key, at);
    return 'deferred';
  }
}

export function ledgerLine(line: {
  id: string;
  userId: string;
  organizationId: string;
  mdn: string;
}): LedgerLine {
  return { lineId: line.id, userId: line.userId, organizationId: line.organizationId, mdn: line.mdn };
}
