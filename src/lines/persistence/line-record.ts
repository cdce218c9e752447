import type { NetworkLine } from '../../generated/prisma/client';
import type { Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { LineState } from '../domain/status-machine';

/** Bookkeeping of the outbound flows (carrier requests, opt-in texts) kept on the line. */
export interface LineFlowFields {
  carrierRequestId: string | null;
  carrierRequestedAt: Date | null;
  optInSends: number;
  optInLastSentAt: Date | null;
  optedOut: boolean;
}

/** A stored line as the domain sees it. */
export interface LineRecord extends LineState, LineFlowFields {
  id: string;
  userId: string;
  sequence: number;
  /** The indicator last published for the line. */
  indicator: Indicator;
}

export function toLineRecord(row: NetworkLine): LineRecord {
  return {
    id: row.id,
    userId: row.userId,
    network: row.network as Network,
    status: row.status,
    reason: row.reason,
    statusChangedAt: row.statusChangedAt,
    lastSeenAt: row.lastSeenAt,
    sequence: row.sequence,
    indicator: row.indicator,
    carrierRequestId: row.carrierRequestId,
    carrierRequestedAt: row.carrierRequestedAt,
    optInSends: row.optInSends,
    optInLastSentAt: row.optInLastSentAt,
    optedOut: row.optedOut,
  };
}
