import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Network } from '../lines/domain/networks';

/** Who the simulator plays: each network, the SMS gateway, the number lookup. */
export type Party = Network | 'sms' | 'lookup';

export type Outcome =
  | { kind: 'enable' }
  | { kind: 'disable'; reason?: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'silent' };

export type PartyMode =
  { kind: 'healthy' } | { kind: 'fail'; status: number } | { kind: 'slow'; delayMs: number };

/**
 * A carrier network's wire format as the simulator plays it: the counterpart of its
 * adapter, kept beside it in src/carriers/<network>/. The provisioning flow around it
 * (idempotency, scripted outcomes, the signed callback) is the simulator's, shared.
 */
export interface SimulatedCarrier {
  /** The number a provisioning request names, the carrier's way. */
  mdnOf(request: FastifyRequest): string;
  /** The carrier's acknowledgement of a provisioning request. */
  ack(reference: string): Record<string, string>;
}

/** What the simulator shell lends the parties it hosts (the SMS gateway, the number lookup). */
export interface SimulatorHost {
  /** Applies the party's scripted mode; false when that already answered the request. */
  guard(party: Party, request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
  record(party: Party, request: FastifyRequest, status: number): void;
  /** The answer already given for this idempotency key, if any. */
  answered(party: Party, key: string): unknown;
  remember(party: Party, key: string, answer: unknown): void;
  /** Runs `work` after the callback delay; settle() waits for it. */
  later(work: () => Promise<unknown>): void;
  /** Sends a signed webhook to the service, as the source would (with a trace context to continue). */
  deliver(
    source: Network | 'sms',
    body: Record<string, unknown>,
    traceparent?: string,
    /** Another path of the source's (the SMS gateway's delivery receipts). */
    path?: string,
  ): Promise<Response>;
  now(): Date;
}
