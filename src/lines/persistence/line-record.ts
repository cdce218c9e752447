import type { NetworkLine } from '../../generated/prisma/client';
import type { Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { LineState } from '../domain/status-machine';

/**
 * The provisioning flow's columns on the line: the intent, the reconciler's bookkeeping,
 * the call in flight and the opt-in count. Written by the flow, with or without a move.
 */
export interface LineFlowFields {
  desired: 'PROVISIONED' | 'DISABLED' | null;
  round: number;
  begunRound: number;
  settledAt: Date | null;
  reconcileAt: Date | null;
  inflightKind: 'OPT_IN_TEXT' | 'CARRIER_REQUEST' | null;
  inflightPhase: 'SENDING' | 'ACCEPTED' | null;
  inflightKey: string | null;
  inflightSince: Date | null;
  optInSends: number;
  optInLastSentAt: Date | null;
  optedOut: boolean;
  /** Undelivered opt-in texts of the round (not counted in optInSends), and the last reason. */
  optInUndelivered: number;
  optInDeliveryProblem: string | null;
  /** When the subscriber's YES was accepted (reminders count from it). */
  consentGivenAt: Date | null;
}

/** A stored line as the domain sees it. */
export interface LineRecord extends LineState, LineFlowFields {
  id: string;
  userId: string;
  organizationId: string;
  sequence: number;
  /** The indicator last published for the line. */
  indicator: Indicator;
  /** The last-seen time the line's last event carried (sightings publish when its day changes). */
  eventLastSeenAt: Date | null;
  /** The sequence of the line's last event. */
  eventSequence: number;
}

export function toLineRecord(row: NetworkLine): LineRecord {
  return {
    id: row.id,
    userId: row.userId,
    organizationId: row.organizationId,
    network: row.network as Network,
    status: row.status,
    reason: row.reason,
    statusChangedAt: row.statusChangedAt,
    lastSeenAt: row.lastSeenAt,
    sequence: row.sequence,
    indicator: row.indicator,
    eventLastSeenAt: row.eventLastSeenAt,
    eventSequence: row.eventSequence,
    desired: row.desired,
    round: row.round,
    begunRound: row.begunRound,
    settledAt: row.settledAt,
    reconcileAt: row.reconcileAt,
    inflightKind: row.inflightKind,
    inflightPhase: row.inflightPhase,
    inflightKey: row.inflightKey,
    inflightSince: row.inflightSince,
    optInSends: row.optInSends,
    optInLastSentAt: row.optInLastSentAt,
    optedOut: row.optedOut,
    optInUndelivered: row.optInUndelivered,
    optInDeliveryProblem: row.optInDeliveryProblem,
    consentGivenAt: row.consentGivenAt,
  };
}
