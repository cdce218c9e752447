import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorHost } from '../../simulator/simulated-party';

export interface SentText {
  to: string;
  text: string;
  messageId: string;
  /** The idempotency key it came with: each key is one text, however often it was asked for. */
  key: string;
  /** When the gateway took it: what the resend interval is checked against. */
  at: string;
  /** An opt-in text (its key names it), or another (a confirmation, a HELP answer, a reminder). */
  purpose: 'opt-in' | 'other';
}

/** What the gateway reports about a text, by its delivery receipt. */
export type DeliveryOutcome = { status: 'DELIVERED' } | { status: 'UNDELIVERED' | 'FAILED'; reason: string };

/**
 * The SMS gateway as the simulator plays it: takes texts, answers opt-in texts as
 * scripted (the subscriber's replies), and reports deliveries as scripted (signed
 * receipts to /v1/webhooks/sms/delivery). Unscripted texts get no receipt.
 */
export class SimulatedSmsGateway {
  /** Every text taken, of any purpose. */
  readonly messages: SentText[] = [];
  private readonly replies = new Map<string, string[]>();
  private readonly deliveries = new Map<string, DeliveryOutcome[]>();

  constructor(
    private readonly host: SimulatorHost,
    /** Reply every opt-in text with this (the demo answers YES); unset: silence. */
    private readonly autoReply?: string,
  ) {}

  /** The opt-in texts taken (what the flow's tests count). */
  get texts(): SentText[] {
    return this.messages.filter((text) => text.purpose === 'opt-in');
  }

  routes(server: FastifyInstance): void {
    server.post('/sms/v1/messages', (request, reply) => this.send(request, reply));
  }

  /** The subscriber's answers to the next opt-in texts, one per text. */
  queueReplies(mdn: string, ...texts: string[]): void {
    this.replies.set(mdn, [...(this.replies.get(mdn) ?? []), ...texts]);
  }

  /** What the next texts to `mdn` (of any purpose) are reported as, one receipt per text. */
  queueDeliveries(mdn: string, ...outcomes: DeliveryOutcome[]): void {
    this.deliveries.set(mdn, [...(this.deliveries.get(mdn) ?? []), ...outcomes]);
  }

  /** The opt-in texts sent to `mdn`. */
  textsTo(mdn: string): string[] {
    return this.texts.filter((text) => text.to === mdn).map((text) => text.text);
  }

  /** Every text sent to `mdn`, in order. */
  messagesTo(mdn: string): SentText[] {
    return this.messages.filter((text) => text.to === mdn);
  }

  private async send(request: FastifyRequest, reply: FastifyReply) {
    if (!(await this.host.guard('sms', request, reply))) return;
    const key = String(request.headers['idempotency-key'] ?? randomUUID());
    this.host.record('sms', request, 202);
    const seen = this.host.answered('sms', key);
    if (seen) return reply.status(202).send(seen);
    const { to, text } = request.body as { to: string; text: string };
    const sent = { messageId: randomUUID() };
    this.host.remember('sms', key, sent);
    const purpose = key.includes(':opt-in:') ? 'opt-in' : 'other';
    this.messages.push({
      to,
      text,
      messageId: sent.messageId,
      key,
      at: this.host.now().toISOString(),
      purpose,
    });
    const traceparent =
      typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;
    const outcome = this.deliveries.get(to)?.shift();
    if (outcome) {
      this.host.later(() =>
        this.host.deliver(
          'sms',
          {
            receiptId: randomUUID(),
            messageId: sent.messageId,
            occurredAt: this.host.now().toISOString(),
            ...outcome,
          },
          traceparent,
          '/v1/webhooks/sms/delivery',
        ),
      );
    }
    // A subscriber answers the opt-in question; an undelivered text is never answered.
    const answer =
      purpose === 'opt-in' && outcome?.status !== 'UNDELIVERED' && outcome?.status !== 'FAILED'
        ? (this.replies.get(to)?.shift() ?? this.autoReply)
        : undefined;
    if (answer !== undefined) {
      this.host.later(() =>
        this.host.deliver(
          'sms',
          { messageId: randomUUID(), from: to, text: answer, receivedAt: this.host.now().toISOString() },
          traceparent,
        ),
      );
    }
    return reply.status(202).send(sent);
  }
}
