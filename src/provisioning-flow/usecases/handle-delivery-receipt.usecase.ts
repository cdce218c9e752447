import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { InjectConfig } from '../../config/config.module';
import type { FlowConfig } from '../../config/config';
import { ConsentLedger } from '../../consent/consent-ledger';
import { FlowRepository } from '../flow.repository';

export interface DeliveryReceipt {
  receiptId: string;
  /** The gateway's id of the text it reports on (as it answered the send). */
  messageId: string;
  status: 'DELIVERED' | 'UNDELIVERED' | 'FAILED';
  /** Why it was not delivered, in the gateway's words: roaming, invalid number, ... */
  reason?: string;
  occurredAt: Date;
}

/**
 * The SMS gateway's word on a text it took: appended to the ledger as an entry that
 * refers to the text's (the ledger is never updated). An opt-in text that did not arrive
 * counts as not sent, for the cap and the interval, and is sent again; its reason shows
 * in the line's tooltip.
 */
@Injectable()
export class HandleDeliveryReceipt {
  constructor(
    private readonly consent: ConsentLedger,
    private readonly lines: FlowRepository,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
    @InjectConfig('flow') private readonly config: FlowConfig,
  ) {}

  async execute(receipt: DeliveryReceipt): Promise<{ outcome: string }> {
    const text = await this.consent.findText(receipt.messageId);
    if (!text) {
      // A fast receipt can overtake the recording of the text it answers (the gateway's
      // answer to the send is still on its way back): the sender is asked to retry (409),
      // and gives up after its own bound if the id is truly unknown.
      throw new ConflictError(`No text with gateway message id ${receipt.messageId} is recorded yet; retry`);
    }
    const line = await this.lines.find(text.lineId);
    const delivered = receipt.status === 'DELIVERED';
    const reason = delivered ? null : (receipt.reason ?? receipt.status.toLowerCase());
    const opener = text.kind === 'TEXT_SENT' ? openerCount(text.dedupeKey) : undefined;
    if (!delivered && line && opener !== undefined && line.inFlight.kind === 'OPT_IN_TEXT') {
      // The text is still being recorded as sent: asked again shortly (the gateway retries).
      throw new ConflictError('The text this receipt answers is still being recorded; try again');
    }
    await this.consent.record(
      {
        organizationId: text.organizationId,
        userId: text.userId,
        lineId: text.lineId,
        mdnHash: text.mdnHash,
      },
      {
        kind: 'DELIVERY_REPORTED',
        source: 'CARRIER',
        occurredAt: receipt.occurredAt,
        gatewayMessageId: receipt.messageId,
        deliveryStatus: receipt.status,
        deliveryReason: reason,
        refersTo: text.id,
        dedupeKey: `receipt:${receipt.receiptId}`,
      },
    );
    if (!line || opener === undefined) return { outcome: 'recorded' };
    if (delivered) {
      await this.lines.markDelivered(line.id);
      return { outcome: 'delivered' };
    }
    const retryAt = new Date(this.clock.now().getTime() + this.config.retryAfterMs);
    const retried = await this.lines.markUndelivered(
      line.id,
      opener,
      reason ?? 'undelivered',
      retryAt,
      this.config.optIn.undeliveredRetries,
    );
    if (retried) this.signal.raise();
    return { outcome: retried ? 'will_resend' : 'recorded' };
  }
}

/** Which text of its round an opt-in text was: the last part of its key (`<line>:opt-in:<seq>:<n>`). */
function openerCount(key: string): number | undefined {
  const match = /:opt-in:\d+:(\d+)$/.exec(key);
  return match ? Number(match[1]) : undefined;
}
