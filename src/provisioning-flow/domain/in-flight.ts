/**
 * What a line has outstanding with the outside world: nothing, a text to the subscriber
 * or a request to the carrier, each with its idempotency key and since when. One named
 * value, so no code reads "deferred" out of a pattern of nulls.
 * - SENDING: the intent is recorded; the call may or may not have reached the party
 *   (a crash, a timeout). Sending again with the same key is safe: parties dedupe on it.
 * - ACCEPTED: the carrier took the request and owes a callback.
 */
export type InFlight = { kind: 'NONE' } | SendingCall | AcceptedRequest;

export interface SendingCall {
  kind: 'OPT_IN_TEXT' | 'CARRIER_REQUEST';
  phase: 'SENDING';
  key: string;
  since: Date;
}

export interface AcceptedRequest {
  kind: 'CARRIER_REQUEST';
  phase: 'ACCEPTED';
  key: string;
  since: Date;
}

export const NOTHING_IN_FLIGHT: InFlight = { kind: 'NONE' };

/** The columns that hold it: all set, or all null (a CHECK constraint says so too). */
export interface InFlightColumns {
  inflightKind: 'OPT_IN_TEXT' | 'CARRIER_REQUEST' | null;
  inflightPhase: 'SENDING' | 'ACCEPTED' | null;
  inflightKey: string | null;
  inflightSince: Date | null;
}

export function toColumns(inFlight: InFlight): InFlightColumns {
  if (inFlight.kind === 'NONE') {
    return { inflightKind: null, inflightPhase: null, inflightKey: null, inflightSince: null };
  }
  return {
    inflightKind: inFlight.kind,
    inflightPhase: inFlight.phase,
    inflightKey: inFlight.key,
    inflightSince: inFlight.since,
  };
}

export function fromColumns(columns: InFlightColumns): InFlight {
  const { inflightKind: kind, inflightPhase: phase, inflightKey: key, inflightSince: since } = columns;
  if (!kind || !phase || !key || !since) return NOTHING_IN_FLIGHT;
  if (phase === 'SENDING') return { kind, phase, key, since };
  return { kind: 'CARRIER_REQUEST', phase, key, since };
}
