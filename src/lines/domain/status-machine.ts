import { DomainError } from '../../common/errors/domain-error';
import { networkKind, type Network, type NetworkKind } from './networks';
import { type NetworkStatus, type TransitionSource } from './network-status';

type Moves = Partial<Record<NetworkStatus, readonly NetworkStatus[]>>;

/**
 * Every move a line may make, per kind of network. Anything not listed is refused.
 * DISABLED is reachable from everywhere (a deleted user, an opt-out, a carrier's word).
 */
export const ALLOWED_MOVES: Record<NetworkKind, Moves> = {
  'opt-in': {
    NO_STATUS: ['NEW_REQUEST', 'DISABLED'],
    NEW_REQUEST: ['OPT_IN_SENT', 'UNABLE_TO_PROVISION', 'NOT_COMMUNICATING', 'DISABLED'],
    // Sending again (a resend) keeps the line in Opt-in Sent but is still a recorded move.
    OPT_IN_SENT: [
      'OPT_IN_SENT',
      'OPT_IN_RESPONSE_RECEIVED',
      'INVALID_OPT_IN_RESPONSE',
      'NOT_COMMUNICATING',
      'DISABLED',
    ],
    INVALID_OPT_IN_RESPONSE: [
      'OPT_IN_SENT',
      'OPT_IN_RESPONSE_RECEIVED',
      'INVALID_OPT_IN_RESPONSE',
      'DISABLED',
    ],
    OPT_IN_RESPONSE_RECEIVED: [
      'PENDING_PROVISIONING',
      'UNABLE_TO_PROVISION',
      'NOT_COMMUNICATING',
      'DISABLED',
    ],
    PENDING_PROVISIONING: ['ENABLED', 'UNABLE_TO_PROVISION', 'NOT_COMMUNICATING', 'DISABLED'],
    ENABLED: ['NEW_REQUEST', 'UNABLE_TO_PROVISION', 'NOT_COMMUNICATING', 'DISABLED'],
    UNABLE_TO_PROVISION: ['NEW_REQUEST', 'ENABLED', 'DISABLED'],
    NOT_COMMUNICATING: ['NEW_REQUEST', 'PENDING_PROVISIONING', 'ENABLED', 'UNABLE_TO_PROVISION', 'DISABLED'],
    DISABLED: ['NEW_REQUEST'],
  },
  direct: {
    NO_STATUS: ['ENABLED', 'NOT_COMMUNICATING', 'DISABLED'],
    ENABLED: ['NOT_COMMUNICATING', 'DISABLED'],
    NOT_COMMUNICATING: ['ENABLED', 'DISABLED'],
    DISABLED: ['ENABLED', 'NOT_COMMUNICATING'],
  },
};

export function allowedMoves(network: Network, from: NetworkStatus): readonly NetworkStatus[] {
  return ALLOWED_MOVES[networkKind(network)][from] ?? [];
}

export function canMove(network: Network, from: NetworkStatus, to: NetworkStatus): boolean {
  return allowedMoves(network, from).includes(to);
}

export interface LineState {
  network: Network;
  status: NetworkStatus;
  reason: string | null;
  statusChangedAt: Date;
  lastSeenAt: Date | null;
}

export interface TransitionRequest {
  to: NetworkStatus;
  reason?: string | null;
  source: TransitionSource;
  occurredAt: Date;
  /** Kept in the history only, e.g. a subscriber's raw reply. */
  detail?: string | null;
}

export interface Transition {
  from: NetworkStatus;
  to: NetworkStatus;
  reason: string | null;
  source: TransitionSource;
  occurredAt: Date;
  detail: string | null;
  next: LineState;
}

export class TransitionNotAllowedError extends DomainError {
  readonly code = 'transition_not_allowed';
  constructor(
    readonly network: Network,
    readonly from: NetworkStatus,
    readonly to: NetworkStatus,
  ) {
    super(`A ${network} line cannot move from ${from} to ${to}`, {
      network,
      from,
      to,
      allowed: allowedMoves(network, from),
    });
  }
}

/** Plans a move, or refuses it. Pure: the caller persists the result. */
export function planTransition(line: LineState, request: TransitionRequest): Transition {
  if (!canMove(line.network, line.status, request.to)) {
    throw new TransitionNotAllowedError(line.network, line.status, request.to);
  }
  const reason = request.reason ?? null;
  // Enabling a line counts as seeing it; a sighting never moves back in time.
  const lastSeenAt = request.to === 'ENABLED' ? latest(line.lastSeenAt, request.occurredAt) : line.lastSeenAt;
  return {
    from: line.status,
    to: request.to,
    reason,
    source: request.source,
    occurredAt: request.occurredAt,
    detail: request.detail ?? null,
    next: {
      network: line.network,
      status: request.to,
      reason,
      statusChangedAt: request.occurredAt,
      lastSeenAt,
    },
  };
}

/** A sighting (archived traffic, a carrier confirmation) only ever moves last-seen forward. */
export function recordSighting(line: LineState, seenAt: Date): LineState {
  return { ...line, lastSeenAt: latest(line.lastSeenAt, seenAt) };
}

function latest(current: Date | null, candidate: Date): Date {
  return current !== null && current.getTime() > candidate.getTime() ? current : candidate;
}
