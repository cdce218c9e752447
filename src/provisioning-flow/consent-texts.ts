import { Injectable, Logger } from '@nestjs/common';
import { CarrierClients } from '../carriers/carrier-clients';
import { Clock } from '../common/clock';
import { CarrierRejectedError, CarrierUnavailableError } from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { ConsentConfig, FlowConfig } from '../config/config';
import { ConsentLedger, type OwedText } from '../consent/consent-ledger';
import { dueBasis } from '../consent/domain/reminders';
import { maskMdn } from '../logging/mask';
import { Metrics, type TextKind } from '../metrics/metrics.service';
import { FlowRepository, type DueReminder } from './flow.repository';
import { ledgerLine } from './flow-steps';

const METRIC_KIND: Partial<Record<OwedText['kind'], TextKind>> = {
  HELP_ANSWERED: 'help',
  REMINDER_SENT: 'reminder',
  CONFIRMATION_SENT: 'confirmation',
};

/**
 * The texts of the consent record besides the opt-in itself: confirmations, HELP
 * answers and reminders. Each is owed first (recorded with what calls for it), then sent
 * by the reconciler with its own idempotency key, and appended to the ledger once the
 * gateway took it: a crash in between sends it again with the same key (the gateway and
 * the ledger each keep one).
 */
@Injectable()
export class ConsentTexts {
  private readonly logger = new Logger(ConsentTexts.name);

  constructor(
    private readonly lines: FlowRepository,
    private readonly consent: ConsentLedger,
    private readonly carriers: CarrierClients,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @InjectConfig('flow') private readonly flow: FlowConfig,
    @InjectConfig('consent') private readonly config: ConsentConfig,
  ) {}

  claimOwed(limit: number): Promise<OwedText[]> {
    return this.consent.claimOwed(this.clock.now(), this.flow.leaseMs, limit);
  }

  async send(text: OwedText): Promise<void> {
    if (text.userDeleted) {
      await this.consent.owedDone(text);
      return;
    }
    let messageId: string;
    try {
      ({ messageId } = await this.carriers.sms.send(text.mdn, text.text, text.key));
    } catch (error) {
      if (error instanceof CarrierRejectedError) {
        // The gateway refuses the number for good: nothing to send; the refusal is kept.
        this.logger.warn(`${text.kind} text to ${maskMdn(text.mdn)} refused: ${error.message}`);
        await this.record(text, null, 'REFUSED');
        await this.consent.owedDone(text);
        return;
      }
      if (!(error instanceof CarrierUnavailableError)) throw error;
      await this.consent.owedLater(text, new Date(this.clock.now().getTime() + this.flow.retryAfterMs));
      return;
    }
    const kind = METRIC_KIND[text.kind];
    if (kind) this.metrics.optInTextsSent.inc({ kind });
    await this.record(text, messageId, 'ACCEPTED');
    await this.consent.owedDone(text);
  }

  /** Reminders due now (none when CONSENT_REMINDERS is off): each owed once per period. */
  async oweReminders(limit: number): Promise<number> {
    const months = this.config.reminderMonths;
    if (months <= 0) return 0;
    const now = this.clock.now();
    const due = await this.lines.claimReminders(now, dueBasis(now, months), this.flow.leaseMs, limit);
    for (const reminder of due) await this.oweReminder(reminder, now);
    return due.length;
  }

  private async oweReminder(reminder: DueReminder, now: Date): Promise<void> {
    // Keyed by what it is due from: a repeated claim owes the same reminder, not a second one.
    const from = reminder.consentRemindedAt ?? reminder.consentGivenAt;
    const line = ledgerLine({ id: reminder.lineId, ...reminder });
    await this.consent.recordAndOwe(line, {
      kind: 'REMINDER_SENT',
      key: `${reminder.lineId}:reminder:${from.toISOString()}`,
      at: now,
    });
    await this.lines.reminderOwed(reminder.lineId, now);
  }

  private async record(text: OwedText, messageId: string | null, status: string): Promise<void> {
    await this.consent.record(ledgerLine({ ...text, id: text.lineId }), {
      kind: text.kind,
      source: 'SYSTEM',
      occurredAt: this.clock.now(),
      messageText: text.text,
      templateVersion: text.templateVersion,
      gatewayMessageId: messageId,
      deliveryStatus: status,
      dedupeKey: text.key,
    });
  }
}
