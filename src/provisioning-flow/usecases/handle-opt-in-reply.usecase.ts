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
import { classifyReply, type OptInReply } from '../domain/opt-in-reply';
import { textSentMove } from '../domain/opt-in-text';

export interface SubscriberReply {
  from: string;
  text: string;
  receivedAt: Date;
}

const AWAITING_REPLY = new Set(['OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE']);
const REPLY_LABEL: Record<OptInReply, (typeof REPLY_CLASSES)[number]> = {
  YES: 'yes',
  OPT_OUT: 'opt_out',
  INVALID: 'invalid',
};

/**
 * A subscriber's SMS reply to the opt-in text; the raw text is kept in the history. A YES
 * is recorded and answered at once: the reconciler then asks the carrier.
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
  ) {
    for (const classification of REPLY_CLASSES) metrics.optInReplies.inc({ classification }, 0);
    for (const change of CONSENT_CHANGES) metrics.optInConsentChanges.inc({ change }, 0);
  }

  async execute(reply: SubscriberReply): Promise<{ outcome: string }> {
    const mdn = normalizeMdn(reply.from);
    const found = mdn.ok ? await this.lines.findByMdn(mdn.e164, 'verizon') : undefined;
    if (!mdn.ok || !found) throw new NotFoundError(`No Verizon line for ${maskMdn(reply.from)}`);
    const line = await this.recordTextOvertaken(found, mdn.e164);

    const kind = classifyReply(reply.text);
    this.metrics.optInReplies.inc({ classification: REPLY_LABEL[kind] });
    const move = {
      userId: line.userId,
      network: 'verizon' as const,
      source: 'OPT_IN_REPLY' as const,
      occurredAt: reply.receivedAt,
      detail: reply.text,
    };
    const reconcile = { reconcileAt: this.clock.now() };

    if (kind === 'OPT_OUT') {
      // STOP is honoured whatever the line's state: no more texts, and disabled where it can be.
      if (canMove('verizon', line.status, 'DISABLED')) {
        await this.changeLineStatus.execute({
          ...move,
          to: 'DISABLED',
          flow: (current) => ({ ...dropTextInFlight(current), optedOut: true, ...reconcile }),
        });
      } else {
        await this.lines.markOptedOut(line);
      }
      this.metrics.optInConsentChanges.inc({ change: 'revoked' });
      return { outcome: 'opted_out' };
    }
    if (!AWAITING_REPLY.has(line.status)) {
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
      await this.changeLineStatus.execute({ ...move, to: 'INVALID_OPT_IN_RESPONSE', flow: () => reconcile });
      return { outcome: 'invalid' };
    }
    await this.changeLineStatus.execute({
      ...move,
      to: 'OPT_IN_RESPONSE_RECEIVED',
      // A YES to the last allowed text comes after the round settled at the cap: it is
      // open again, or the carrier would never be asked.
      flow: (current) => ({ ...dropTextInFlight(current), settledAt: null, ...reconcile }),
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
