import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { maskMdn } from '../../logging/mask';
import type { Network } from '../../lines/domain/networks';
import type { NetworkStatus } from '../../lines/domain/network-status';
import { TransitionNotAllowedError } from '../../lines/domain/status-machine';
import { LineLookup, type LineRecord } from '../../lines/usecases/line-lookup.usecase';
import { ChangeLineStatus } from '../../lines/usecases/change-line-status.usecase';
import { RecordSighting } from '../../lines/usecases/record-sighting.usecase';
import { ChangeLinesInBatch, type BatchChange } from '../../lines/usecases/change-lines-in-batch.usecase';
import { NOTHING_IN_FLIGHT, toColumns } from '../domain/in-flight';

export type CarrierStatus = Extract<
  NetworkStatus,
  'ENABLED' | 'DISABLED' | 'UNABLE_TO_PROVISION' | 'NOT_COMMUNICATING'
>;

export interface ProvisioningUpdate {
  network: Network;
  mdn: string;
  status: CarrierStatus;
  reason?: string;
  occurredAt: Date;
}

export type CallbackOutcome = { applied: true } | { applied: false; why: string };

/** A carrier's word as the inbox's batch holds it, in the trace of the delivery that brought it. */
export type CarrierWord = { traceParent: string | null } & (
  | ({ kind: 'status' } & ProvisioningUpdate)
  | { kind: 'seen'; network: Network; mdn: string; occurredAt: Date }
);

/** How a word of a batch ended; `undefined` in a batch's answer: take it one at a time. */
export type BatchOutcome = 'applied' | 'not_found';

/**
 * A carrier's word on a line: applied if it is the newest, kept in the history either
 * way. It answers whatever request was outstanding, and the reconciler looks again.
 */
@Injectable()
export class ApplyCarrierCallback {
  private readonly logger = new Logger(ApplyCarrierCallback.name);

  constructor(
    private readonly lines: LineLookup,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly recordSighting: RecordSighting,
    private readonly inBatch: ChangeLinesInBatch,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
  ) {}

  async provisioningUpdated(update: ProvisioningUpdate): Promise<CallbackOutcome> {
    const line = await this.requireLine(update.network, update.mdn);
    const move = {
      to: update.status,
      reason: update.reason ?? null,
      source: 'CARRIER_CALLBACK' as const,
      occurredAt: update.occurredAt,
      detail: null,
    };
    if (update.occurredAt.getTime() < line.statusChangedAt.getTime()) {
      const why = 'older than the line’s latest status';
      await this.lines.recordUnapplied(line, { ...move, from: line.status }, why);
      return { applied: false, why };
    }
    if (update.status === 'ENABLED' && line.optedOut) {
      // The subscriber revoked consent: a late answer to a request made before that enables
      // nothing. Kept for the record; the request it answers is closed.
      await this.lines.recordUnapplied(
        line,
        { ...move, from: line.status, detail: 'subscriber revoked consent' },
        'the subscriber revoked consent',
      );
      await this.lines.closeRequest(line, this.clock.now());
      return { applied: false, why: 'the subscriber revoked consent' };
    }
    try {
      await this.changeLineStatus.execute({
        userId: line.userId,
        network: update.network,
        ...move,
        flow: () => ({ ...toColumns(NOTHING_IN_FLIGHT), reconcileAt: this.clock.now() }),
      });
      this.signal.raise();
      return { applied: true };
    } catch (error) {
      if (!(error instanceof TransitionNotAllowedError)) throw error;
      // The carrier's word is kept for the record even when the table refuses the move.
      await this.lines.recordUnapplied(
        line,
        { ...move, from: line.status, detail: error.message },
        error.message,
      );
      if (update.status === line.status && line.inflightKind === 'CARRIER_REQUEST') {
        // It confirms the status the line has (a direct line provisioned again while
        // Enabled): that answers the request, which would otherwise wait for its timeout
        // and leave the line Not Communicating.
        await this.lines.closeRequest(line, this.clock.now());
        this.signal.raise();
        return { applied: false, why: 'confirms the line’s status; the request it answers is closed' };
      }
      this.logger.warn(`Carrier callback for ${maskMdn(update.mdn)} not applied: ${error.message}`);
      return { applied: false, why: error.message };
    }
  }

  /**
   * Many words at once, at most one per line (the inbox claims one delivery per number):
   * the common ones, a newer status the table allows or a sighting, are applied together
   * in one transaction. The others (older than the line's status, an Enabled after the
   * subscriber revoked consent, a move the table refuses, a line changed meanwhile) come
   * back undefined, for provisioningUpdated and activitySeen, which record them as they
   * should be recorded.
   */
  async applyMany(words: CarrierWord[]): Promise<(BatchOutcome | undefined)[]> {
    const lines = await this.inBatch.findByMdns(words);
    const outcomes: (BatchOutcome | undefined)[] = words.map(() => undefined);
    const changes: { index: number; change: BatchChange }[] = [];
    words.forEach((word, index) => {
      const line = lines.get(this.inBatch.key(word.mdn, word.network));
      if (!line) {
        outcomes[index] = 'not_found';
        return;
      }
      const change = this.batchChange(word, line);
      if (change) changes.push({ index, change });
    });
    const done = await this.inBatch.apply(changes.map(({ change }) => change));
    changes.forEach(({ index }, at) => {
      if (done[at]) outcomes[index] = 'applied';
    });
    if (changes.some(({ change }, at) => done[at] && change.kind === 'move')) this.signal.raise();
    return outcomes;
  }

  private batchChange(word: CarrierWord, line: LineRecord): BatchChange | undefined {
    const { traceParent } = word;
    if (word.kind === 'seen') return { kind: 'sighting', line, traceParent, seenAt: word.occurredAt };
    if (word.occurredAt.getTime() < line.statusChangedAt.getTime()) return undefined;
    if (word.status === 'ENABLED' && line.optedOut) return undefined;
    return {
      kind: 'move',
      line,
      traceParent,
      to: word.status,
      reason: word.reason ?? null,
      source: 'CARRIER_CALLBACK',
      occurredAt: word.occurredAt,
      detail: null,
      flow: { ...toColumns(NOTHING_IN_FLIGHT), reconcileAt: this.clock.now() },
    };
  }

  async activitySeen(network: Network, mdn: string, occurredAt: Date): Promise<void> {
    const line = await this.requireLine(network, mdn);
    await this.recordSighting.execute({ userId: line.userId, network, seenAt: occurredAt, line });
  }

  private async requireLine(network: Network, mdn: string): Promise<LineRecord> {
    const line = await this.lines.findByMdn(mdn, network);
    if (!line) throw new NotFoundError(`No ${network} line for ${maskMdn(mdn)}`);
    return line;
  }
}
