import { computeIndicator, type Indicator } from '../domain/indicator';
import { NETWORKS } from '../domain/networks';
import { statusLabel, type NetworkStatus } from '../domain/network-status';
import { tooltipFor } from '../domain/tooltip';
import type { LineRecord } from '../persistence/line-record';

/** One network of one user as the admin console shows it. */
export interface LineView {
  network: string;
  networkName: string;
  status: NetworkStatus;
  statusLabel: string;
  reason: string | null;
  indicator: Indicator;
  indicatorReason: string | null;
  tooltip: string;
  statusChangedAt: string;
  lastSeenAt: string | null;
  /** The sequence of the line's last event: a consumer skips the feed's events up to it. */
  sequence: number;
}

export function presentLine(line: LineRecord, now: Date, staleAfterDays: number): LineView {
  const { indicator, reason } = computeIndicator(line, now, staleAfterDays);
  return {
    network: line.network,
    networkName: NETWORKS[line.network].name,
    status: line.status,
    statusLabel: statusLabel(line.status),
    reason: line.reason,
    indicator,
    indicatorReason: reason,
    tooltip: tooltipFor(line),
    statusChangedAt: line.statusChangedAt.toISOString(),
    lastSeenAt: line.lastSeenAt?.toISOString() ?? null,
    sequence: line.eventSequence,
  };
}
