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
}

/** The SMS gateway as the simulator plays it: takes texts, and answers them as scripted. */
export class SimulatedSmsGateway {
  readonly texts: SentText[] = [];
  private readonly replies = new Map<string, string[]>();

  constructor(
    private readonly host: SimulatorHost,
    /** Reply every text with this (the demo answers YES); unset: silence. */
    private readonly autoReply?: string,
  ) {}

  routes(server: FastifyInstance): void {
    server.post('/sms/v1/messages', (request, reply) => this.send(request, reply));
  }

  /** The subscriber's answers to the next texts, one per text. */
  queueReplies(mdn: string, ...texts: string[]): void {
    this.replies.set(mdn, [...(this.replies.get(mdn) ?? []), ...texts]);
  }

  textsTo(mdn: string): string[] {
    return this.texts.filter((text) => text.to === mdn).map((text) => text.text);
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
    this.texts.push({ to, text, messageId: sent.messageId, key, at: this.host.now().toISOString() });
    const answer = this.replies.get(to)?.shift() ?? this.autoReply;
    const traceparent = request.headers.traceparent;
    if (answer !== undefined) {
      this.host.later(() =>
        this.host.deliver(
          'sms',
          { messageId: randomUUID(), from: to, text: answer, receivedAt: this.host.now().toISOString() },
          typeof traceparent === 'string' ? traceparent : undefined,
        ),
      );
    }
    return reply.status(202).send(sent);
  }
}
