import { networkKind, type Network } from '../../lines/domain/networks';
import type { NetworkStatus } from '../../lines/domain/network-status';
import type { InFlight, SendingCall } from './in-flight';

/** What the reconciler knows of a line when it decides. */
export interface FlowLine {
  id: string;
  network: Network;
  status: NetworkStatus;
  /** What a request asked the line to become; null: nothing was asked. */
  desired: 'PROVISIONED' | 'DISABLED' | null;
  /** Each provisioning request starts a round; `begunRound` is the last the reconciler began. */
  round: number;
  begunRound: number;
  /** The current intent has reached an end (enabled, refused, given up, opted out). */
  settled: boolean;
  optInSends: number;
  optInLastSentAt: Date | null;
  optedOut: boolean;
  /** Whether the number can be a mobile line at all (an opt-in text to it would be wasted). */
  mobile: boolean;
  inFlight: InFlight;
  sequence: number;
}

export interface FlowRules {
  maxSends: number;
  resendIntervalMs: number;
  /** How long a carrier that took a request may stay silent before the line is Not Communicating. */
  answerTimeoutMs: number;
  /** How long after a send began it may be tried again: longer than any call lasts. */
  retryAfterMs: number;
}

/**
 * The reconciler's next move for a line. `wait` names when to look again (null: only
 * when something changes the line). Every external call is preceded by recording it, so
 * a crash at any point leaves a line whose next step is to finish or repeat that call.
 */
export type Step =
  | { kind: 'wait'; until: Date | null }
  | { kind: 'settle' }
  | { kind: 'begin_round' }
  | { kind: 'text_subscriber'; count: number }
  | { kind: 'refuse_number' }
  | { kind: 'request_carrier' }
  | { kind: 'send_again'; inFlight: SendingCall }
  | { kind: 'give_up_waiting' };

const TEXTING: ReadonlySet<NetworkStatus> = new Set([
  'NEW_REQUEST',
  'OPT_IN_SENT',
  'INVALID_OPT_IN_RESPONSE',
]);
const AWAITING_CARRIER: ReadonlySet<NetworkStatus> = new Set([
  'OPT_IN_RESPONSE_RECEIVED',
  'PENDING_PROVISIONING',
]);

export function nextStep(line: FlowLine, now: Date, rules: FlowRules): Step {
  if (line.desired !== 'PROVISIONED') return line.settled || line.desired === null ? idle : settle;
  const inFlight = line.inFlight;
  if (inFlight.kind !== 'NONE') {
    if (inFlight.phase === 'SENDING') {
      const due = after(inFlight.since, rules.retryAfterMs);
      return due <= now.getTime() ? { kind: 'send_again', inFlight } : waitUntil(due);
    }
    const deadline = after(inFlight.since, rules.answerTimeoutMs);
    return deadline <= now.getTime() ? { kind: 'give_up_waiting' } : waitUntil(deadline);
  }
  if (line.settled) return idle;
  if (line.begunRound < line.round) {
    return networkKind(line.network) === 'opt-in' ? { kind: 'begin_round' } : { kind: 'request_carrier' };
  }
  if (networkKind(line.network) === 'direct') return settle;
  if (AWAITING_CARRIER.has(line.status)) return { kind: 'request_carrier' };
  if (!TEXTING.has(line.status) || line.optedOut || line.optInSends >= rules.maxSends) return settle;
  if (!line.mobile) return { kind: 'refuse_number' };
  const lastSent = line.optInLastSentAt;
  if (line.optInSends === 0 || lastSent === null)
    return { kind: 'text_subscriber', count: line.optInSends + 1 };
  const due = after(lastSent, rules.resendIntervalMs);
  return due <= now.getTime() ? { kind: 'text_subscriber', count: line.optInSends + 1 } : waitUntil(due);
}

/** The statuses a provisioning round can end in on this network. */
export function isRoundOver(status: NetworkStatus): boolean {
  return ['ENABLED', 'UNABLE_TO_PROVISION', 'NOT_COMMUNICATING', 'DISABLED'].includes(status);
}

const idle: Step = { kind: 'wait', until: null };
const settle: Step = { kind: 'settle' };

function after(since: Date, ms: number): number {
  return since.getTime() + ms;
}

function waitUntil(ms: number): Step {
  return { kind: 'wait', until: new Date(ms) };
}
