import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { maskMdn } from '../../logging/mask';
import { CONSENT_CHANGES, Metrics, REPLY_CLASSES } from '../../metrics/metrics.service';
import { normalizeMdn } from '../../lines/domain/mdn';
import { canMove } from '../../lines/domain/status-machine';
import { ChangeLineStatus } from '../../lines/usecases/change-line-status.usecase';
import { LineLookup, type LineRecord } from '../../lines/usecases/line-lookup.usecase';
import { InjectConfig } from '../../config/config.module';
import type { FlowConfig } from '../../config/config';
import { NOTHING_IN_FLIGHT, toColumns } from '../domain/in-flight';
import { classifyReply, readReply, type OptInReply } from '../domain/opt-in-reply';
import { ConsentLedger, type EntryFacts } from '../../consent/consent-ledger';
import type { ConsentEntryKind } from '../../consent/domain/consent-entry';
import { ledgerLine } from '../flow-steps';
import { textSentMove } from '../domain/opt-in-text';

export interface SubscriberReply {
  /** The gateway's id of the reply: what makes its ledger entries once-only. */
  messageId: string;
  from: string;
  text: string;
  receivedAt: Date;
}

const AWAITING_REPLY = new Set(['OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE']);
const REPLY_LABEL: Record<OptInReply, (typeof REPLY_CLASSES)[number]> = {
  YES: 'yes',
  HELP: 'help',
  OPT_OUT: 'opt_out',
  INVALID: 'invalid',
};

/**
 * A subscriber's SMS reply to the opt-in text. The raw text is kept in the history and,
 * with how it was read, in the consent ledger. A YES is recorded and answered at once
 * (the reconciler then asks the carrier); an opt-out disables the line at once; HELP is
 * answered. Each YES and each opt-out that changes the consent is confirmed by one text.
 */
@Injectable()
export class HandleOptInReply {
  constructor(
    private readonly lines: LineLookup,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
    @InjectConfig('flow') private readonly config: FlowConfig,
    private readonly metrics: Metrics,
    private readonly consent: ConsentLedger,
  ) {
    for (const classification of REPLY_CLASSES) metrics.optInReplies.inc({ classification }, 0);
    for (const change of CONSENT_CHANGES) metrics.optInConsentChanges.inc({ change }, 0);
  }

  async execute(reply: SubscriberReply): Promise<{ outcome: string }> {
    const mdn = normalizeMdn(reply.from);
    const found = mdn.ok ? await this.lines.findByMdn(mdn.e164, 'verizon') : undefined;
    if (!mdn.ok || !found) throw new NotFoundError(`No Verizon line for ${maskMdn(reply.from)}`);
    const line = await this.recordTextOvertaken(found, mdn.e164);

    const reading = readReply(reply.text);
    const kind = classifyReply(reply.text);
    this.metrics.optInReplies.inc({ classification: REPLY_LABEL[kind] });
    const ledger = ledgerLine({ ...line, mdn: mdn.e164 });
    const entry = (what: ConsentEntryKind, extra: Partial<EntryFacts> = {}): EntryFacts => ({
      kind: what,
      source: 'SUBSCRIBER',
      occurredAt: reply.receivedAt,
      dedupeKey: `${line.id}:${what}:${reply.messageId}`,
      ...extra,
    });
    const received = entry('REPLY_RECEIVED', { replyText: reply.text, replyReading: reading });
    const confirm = `${line.id}:confirm:${reply.messageId}`;
    const move = {
      userId: line.userId,
      network: 'verizon' as const,
      source: 'OPT_IN_REPLY' as const,
      occurredAt: reply.receivedAt,
      detail: reply.text,
    };
    const now = this.clock.now();
    const reconcile = { reconcileAt: now };

    if (kind === 'OPT_OUT') {
      const confirmation = {
        kind: 'CONFIRMATION_SENT' as const,
        key: confirm,
        at: now,
        confirms: 'opt-out' as const,
      };
      // Already opted out (and so recorded): a repeated STOP is recorded, not confirmed again.
      if (line.optedOut && (await this.consent.consentOf(line.id)) === 'REVOKED') {
        await this.consent.record(ledger, received);
        return { outcome: 'opted_out' };
      }
      // Honoured whatever the line's state: disabled at once, no more texts, and no carrier
      // word enables it again until an administrator starts a new round. The revocation
      // is recorded in the move's transaction.
      const record = await this.consent.recorderFor(ledger, confirmation, received, entry('CONSENT_REVOKED'));
      if (canMove('verizon', line.status, 'DISABLED')) {
        await this.changeLineStatus.execute({
          ...move,
          to: 'DISABLED',
          flow: (current) => ({ ...dropTextInFlight(current), optedOut: true, ...reconcile }),
          alongside: record,
        });
      } else {
        // Already Disabled: recorded first, then marked, so a retry after a crash records it once.
        await this.consent.recordAndOwe(ledger, confirmation, received, entry('CONSENT_REVOKED'));
        await this.lines.markOptedOut(line);
      }
      this.metrics.optInConsentChanges.inc({ change: 'revoked' });
      this.signal.raise();
      return { outcome: 'opted_out' };
    }
    if (kind === 'HELP') {
      const help = { kind: 'HELP_ANSWERED' as const, key: `${line.id}:help:${reply.messageId}`, at: now };
      await this.consent.recordAndOwe(ledger, help, received);
      this.signal.raise();
      return { outcome: 'help' };
    }
    if (!AWAITING_REPLY.has(line.status) || line.optedOut) {
      await this.consent.record(ledger, received);
      await this.lines.recordUnapplied(
        line,
        {
          ...move,
          from: line.status,
          to: line.status,
          reason: 'Reply not expected',
        },
        'the line was not waiting for an opt-in reply',
      );
      return { outcome: 'ignored' };
    }
    if (kind === 'INVALID') {
      await this.changeLineStatus.execute({
        ...move,
        to: 'INVALID_OPT_IN_RESPONSE',
        flow: () => reconcile,
        alongside: await this.consent.recorderFor(ledger, null, received),
      });
      return { outcome: 'invalid' };
    }
    const confirmation = {
      kind: 'CONFIRMATION_SENT' as const,
      key: confirm,
      at: now,
      confirms: 'opt-in' as const,
    };
    await this.changeLineStatus.execute({
      ...move,
      to: 'OPT_IN_RESPONSE_RECEIVED',
      // A YES to the last allowed text comes after the round settled at the cap: it is
      // open again, or the carrier would never be asked.
      flow: (current) => ({
        ...dropTextInFlight(current),
        settledAt: null,
        consentGivenAt: reply.receivedAt,
        optInDeliveryProblem: null,
        ...reconcile,
      }),
      // The reply, the consent and the owed confirmation land with the move, or not at all.
      alongside: await this.consent.recorderFor(ledger, confirmation, received, entry('CONSENT_GIVEN')),
    });
    this.metrics.optInConsentChanges.inc({ change: 'given' });
    this.signal.raise();
    return { outcome: 'accepted' };
  }

  /**
   * The reply came before the text it answers was recorded as sent (the gateway's answer
   * and the subscriber's reply raced): it proves the text went out, so that is recorded
   * first, as the reconciler would have. Otherwise the reply would be dropped as not
   * expected, and the line would wait a day for a resend.
   */
  private async recordTextOvertaken(line: LineRecord, mdn: string): Promise<LineRecord> {
    if (line.status !== 'NEW_REQUEST' || line.inflightKind !== 'OPT_IN_TEXT' || !line.inflightKey)
      return line;
    const text = { key: line.inflightKey, count: line.optInSends };
    const moved = await this.changeLineStatus.execute({
      userId: line.userId,
      network: 'verizon',
      ...textSentMove(text, this.config.optIn.maxSends, this.clock.now()),
    });
    // Not moved: the reconciler recorded it meanwhile.
    return moved ?? (await this.lines.findByMdn(mdn, 'verizon')) ?? line;
  }
}

/**
 * After a YES or a STOP, a text still in flight (a resend) is moot. Left in flight, its
 * send would try to move the line back to Opt-in Sent, be refused, and be tried again
 * with the same key for ever, holding the line back from its next step.
 */
function dropTextInFlight(line: LineRecord) {
  return line.inflightKind === 'OPT_IN_TEXT' ? toColumns(NOTHING_IN_FLIGHT) : {};
}
