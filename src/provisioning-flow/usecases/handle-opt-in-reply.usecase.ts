import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { maskMdn } from '../../logging/mask';
import { CONSENT_CHANGES, Metrics, REPLY_CLASSES } from '../../metrics/metrics.service';
import { normalizeMdn } from '../../lines/domain/mdn';
import { canMove } from '../../lines/domain/status-machine';
import { ChangeLineStatus } from '../../lines/usecases/change-line-status.usecase';
import { LineLookup } from '../../lines/usecases/line-lookup.usecase';
import { classifyReply, type OptInReply } from '../domain/opt-in-reply';

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
    private readonly metrics: Metrics,
  ) {
    for (const classification of REPLY_CLASSES) metrics.optInReplies.inc({ classification }, 0);
    for (const change of CONSENT_CHANGES) metrics.optInConsentChanges.inc({ change }, 0);
  }

  async execute(reply: SubscriberReply): Promise<{ outcome: string }> {
    const mdn = normalizeMdn(reply.from);
    const line = mdn.ok ? await this.lines.findByMdn(mdn.e164, 'verizon') : undefined;
    if (!line) throw new NotFoundError(`No Verizon line for ${maskMdn(reply.from)}`);

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
          flow: () => ({ optedOut: true, ...reconcile }),
        });
      } else {
        await this.lines.markOptedOut(line);
      }
      this.metrics.optInConsentChanges.inc({ change: 'revoked' });
      return { outcome: 'opted_out' };
    }
    if (!AWAITING_REPLY.has(line.status)) {
      await this.lines.recordUnapplied(line, {
        ...move,
        from: line.status,
        to: line.status,
        reason: 'Reply not expected',
      });
      return { outcome: 'ignored' };
    }
    if (kind === 'INVALID') {
      await this.changeLineStatus.execute({ ...move, to: 'INVALID_OPT_IN_RESPONSE', flow: () => reconcile });
      return { outcome: 'invalid' };
    }
    await this.changeLineStatus.execute({ ...move, to: 'OPT_IN_RESPONSE_RECEIVED', flow: () => reconcile });
    this.metrics.optInConsentChanges.inc({ change: 'given' });
    this.signal.raise();
    return { outcome: 'accepted' };
  }
}
