import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { CARRIERS } from '../carriers/carrier-registry';
import { SimulatedNumberLookup } from '../carriers/number-lookup/number-lookup.simulator';
import {
  SimulatedSmsGateway,
  type DeliveryOutcome,
  type SentText,
} from '../carriers/sms-gateway/sms-gateway.simulator';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import type { Outcome, Party, PartyMode, SimulatorHost } from './simulated-party';

/**
 * Plays every carrier network, the SMS gateway and the number lookup over HTTP, and
 * calls the service back with signed webhooks. Tests and the embedded demo script it
 * through /_control. Development and test tool only: never started in production.
 * Each party's own part lives beside its client in src/carriers; this is the server,
 * the scripting and what the parties share.
 */
export interface SimulatorOptions {
  secrets: Record<Network | 'sms', string>;
  /** Where the service listens; can be set later, once it does. */
  serviceUrl?: string;
  callbackDelayMs?: number;
  /** Reply every opt-in text with this (the demo answers YES); unset: silence. */
  autoReply?: string;
  /** The time the simulated parties stamp on what they send (tests move it). */
  now?: () => Date;
  /** How long a callback is retried while the service fails or cannot be reached (default 12 s). */
  callbackRetryMs?: number;
}

export interface RecordedRequest {
  party: Party;
  method: string;
  path: string;
  idempotencyKey?: string;
  /** The W3C trace context the call came with. */
  traceparent?: string;
  body: unknown;
  status: number;
}

/** The first pause between tries of a callback, doubled each time up to the longest. */
const CALLBACK_BACKOFF_MS = 100;
const CALLBACK_MAX_BACKOFF_MS = 1_000;
const CALLBACK_RETRY_MS = 12_000;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class CarrierSimulator {
  readonly requests: RecordedRequest[] = [];
  private readonly server: FastifyInstance;
  private readonly outcomes = new Map<string, Outcome>();
  private readonly modes = new Map<Party, PartyMode>();
  private readonly idempotent = new Map<string, unknown>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly smsGateway: SimulatedSmsGateway;
  private readonly numberLookup: SimulatedNumberLookup;
  private port = 0;
  private stopped = false;

  constructor(private readonly options: SimulatorOptions) {
    this.server = Fastify({ logger: false });
    const host: SimulatorHost = {
      guard: (party, request, reply) => this.guard(party, request, reply),
      record: (party, request, status) => this.record(party, request, status),
      answered: (party, key) => this.idempotent.get(`${party}:${key}`),
      remember: (party, key, answer) => this.idempotent.set(`${party}:${key}`, answer),
      later: (work) => this.later(this.options.callbackDelayMs ?? 20, work),
      deliver: (source, body, traceparent, path) => this.callBack(source, body, traceparent, path),
      now: () => this.now(),
    };
    this.smsGateway = new SimulatedSmsGateway(host, options.autoReply);
    this.numberLookup = new SimulatedNumberLookup(host);
    this.routes();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The opt-in texts the SMS gateway was asked to send. */
  get texts(): SentText[] {
    return this.smsGateway.texts;
  }

  /** Every text the SMS gateway was asked to send (confirmations, HELP answers, reminders too). */
  get messages(): SentText[] {
    return this.smsGateway.messages;
  }

  messagesTo(mdn: string): SentText[] {
    return this.smsGateway.messagesTo(mdn);
  }

  /** What the gateway reports for the next texts to `mdn` (delivery receipts), one per text. */
  queueDeliveries(mdn: string, ...outcomes: DeliveryOutcome[]): void {
    this.smsGateway.queueDeliveries(mdn, ...outcomes);
  }

  urlOf(party: Party): string {
    return `${this.url}/${party}`;
  }

  setServiceUrl(url: string): void {
    this.options.serviceUrl = url;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    await this.server.listen({ port, host });
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this;
  }

  async stop(): Promise<void> {
    // Callbacks still being retried give up: nobody is left to wait for them.
    this.stopped = true;
    await Promise.allSettled([...this.pending]);
    await this.server.close();
  }

  /** How the carrier answers a provisioning request for this MDN (default: enable). */
  script(mdn: string, outcome: Outcome): void {
    this.outcomes.set(mdn, outcome);
  }

  /** Which network the lookup names for this MDN (default: one derived from its digits). */
  setLookup(mdn: string, network: Network | null): void {
    this.numberLookup.set(mdn, network);
  }

  /** The subscriber's answers to the next opt-in texts, one per text. */
  queueReplies(mdn: string, ...texts: string[]): void {
    this.smsGateway.queueReplies(mdn, ...texts);
  }

  setMode(party: Party, mode: PartyMode): void {
    this.modes.set(party, mode);
  }

  textsTo(mdn: string): string[] {
    return this.smsGateway.textsTo(mdn);
  }

  /**
   * Sends a signed webhook to the service as a carrier (or the SMS gateway) would; with the
   * trace context of the request it answers, as a party that propagates W3C trace context.
   */
  async deliver(
    source: Network | 'sms',
    body: Record<string, unknown>,
    id = randomUUID(),
    traceparent?: string,
    path = source === 'sms' ? '/v1/webhooks/sms' : `/v1/webhooks/carriers/${source}`,
  ): Promise<Response> {
    if (!this.options.serviceUrl) throw new Error('The simulator does not know the service URL yet');
    const payload = JSON.stringify(body);
    const timestamp = new Date();
    const signature = new Webhook(this.options.secrets[source]).sign(id, timestamp, payload);
    return fetch(`${this.options.serviceUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
        ...(traceparent ? { traceparent } : {}),
      },
      body: payload,
    });
  }

  /**
   * A callback the simulator sends on its own (a carrier's outcome, a subscriber's reply),
   * retried as webhook senders do, with the same webhook-id (a delivery that did land is
   * not applied twice), with backoff, for a bounded time: while the service answers 5xx or
   * 429 (busy: its database pool full), 409 (a copy is still at work, or a claim left by a
   * killed process has not expired yet), or cannot be reached at all (down, restarting:
   * connection refused or reset). Without this, the word would be lost for good.
   */
  private async callBack(
    source: Network | 'sms',
    body: Record<string, unknown>,
    traceparent?: string,
    path?: string,
  ): Promise<Response> {
    const id = randomUUID();
    const deadline = Date.now() + (this.options.callbackRetryMs ?? CALLBACK_RETRY_MS);
    for (let attempt = 1; ; attempt++) {
      const giveUp = this.stopped || Date.now() >= deadline;
      let answer: Response;
      try {
        answer = await this.deliver(source, body, id, traceparent, path);
      } catch (error) {
        if (giveUp || !isUnreachable(error)) throw error;
        await this.pause(attempt);
        continue;
      }
      if (giveUp || !shouldRetry(answer.status)) return answer;
      await answer.arrayBuffer().catch(() => undefined);
      await this.pause(attempt);
    }
  }

  private pause(attempt: number): Promise<void> {
    const ms = Math.min(CALLBACK_BACKOFF_MS * 2 ** (attempt - 1), CALLBACK_MAX_BACKOFF_MS);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Waits until every callback the simulator has scheduled has been delivered. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private later(ms: number, work: () => Promise<unknown>): void {
    const task: Promise<unknown> = new Promise((resolve) => setTimeout(resolve, ms))
      .then(work)
      .catch(() => undefined)
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private routes(): void {
    for (const network of NETWORK_KEYS) {
      this.server.post(`/${network}/*`, (request, reply) => this.provision(network, request, reply));
    }
    this.smsGateway.routes(this.server);
    this.numberLookup.routes(this.server);
    // Scripting over HTTP, for the standalone simulator.
    this.server.post('/_control/script', (request, reply) => {
      const { mdn, outcome } = request.body as { mdn: string; outcome: Outcome };
      this.script(mdn, outcome);
      return reply.send({ ok: true });
    });
    this.server.post('/_control/mode', (request, reply) => {
      const { party, mode } = request.body as { party: Party; mode: PartyMode };
      this.setMode(party, mode);
      return reply.send({ ok: true });
    });
    this.server.post('/_control/replies', (request, reply) => {
      const { mdn, texts } = request.body as { mdn: string; texts: string[] };
      this.queueReplies(mdn, ...texts);
      return reply.send({ ok: true });
    });
    this.server.post('/_control/deliveries', (request, reply) => {
      const { mdn, outcomes } = request.body as { mdn: string; outcomes: DeliveryOutcome[] };
      this.queueDeliveries(mdn, ...outcomes);
      return reply.send({ ok: true });
    });
    this.server.post('/_control/lookup', (request, reply) => {
      const { mdn, network } = request.body as { mdn: string; network: Network | null };
      this.setLookup(mdn, network);
      return reply.send({ ok: true });
    });
    this.server.get('/_control/log', (_request, reply) =>
      reply.send({ requests: this.requests, texts: this.texts, messages: this.messages }),
    );
  }

  private async guard(party: Party, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const mode = this.modes.get(party) ?? { kind: 'healthy' };
    if (mode.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
    if (mode.kind === 'fail') {
      this.record(party, request, mode.status);
      await reply.status(mode.status).send({ error: 'simulated failure' });
      return false;
    }
    return true;
  }

  private record(party: Party, request: FastifyRequest, status: number): void {
    const key = request.headers['idempotency-key'];
    this.requests.push({
      party,
      method: request.method,
      path: request.url,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      traceparent: traceparentOf(request),
      body: request.body,
      status,
    });
  }

  /** Any network's provisioning request, in that network's wire format (CARRIERS). */
  private async provision(network: Network, request: FastifyRequest, reply: FastifyReply) {
    if (!(await this.guard(network, request, reply))) return;
    const key = String(request.headers['idempotency-key'] ?? randomUUID());
    this.record(network, request, 202);
    const seen = this.idempotent.get(`${network}:${key}`);
    if (seen) return reply.status(202).send(seen);

    const carrier = CARRIERS[network].simulator;
    const mdn = carrier.mdnOf(request);
    const ack = carrier.ack(randomUUID());
    this.idempotent.set(`${network}:${key}`, ack);
    const outcome = this.outcomes.get(mdn) ?? { kind: 'enable' };
    if (outcome.kind !== 'silent') {
      const status =
        outcome.kind === 'enable'
          ? 'ENABLED'
          : outcome.kind === 'disable'
            ? 'DISABLED'
            : 'UNABLE_TO_PROVISION';
      const reason = outcome.kind === 'enable' ? undefined : outcome.reason;
      this.later(this.options.callbackDelayMs ?? 20, () =>
        this.callBack(
          network,
          {
            type: 'provisioning.updated',
            callbackId: randomUUID(),
            occurredAt: this.now().toISOString(),
            mdn,
            status,
            reason,
          },
          traceparentOf(request),
        ),
      );
    }
    return reply.status(202).send(ack);
  }
}

/** Answers a webhook sender tries again: the receiver was busy, failed, or is still at work on a copy. */
export function shouldRetry(status: number): boolean {
  return status >= 500 || status === 429 || status === 409;
}

/** fetch's failure to reach the receiver at all (refused, reset, closed mid-answer). */
function isUnreachable(error: unknown): boolean {
  // By shape: under a test runner the error may come from another realm's TypeError.
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && message === 'fetch failed';
}

function traceparentOf(request: FastifyRequest): string | undefined {
  const value = request.headers.traceparent;
  return typeof value === 'string' ? value : undefined;
}
