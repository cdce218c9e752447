import { statusLabel } from './network-status';
import type { LineState } from './status-machine';
import { NETWORKS } from './networks';
import { utcDay } from './utc-day';

/**
 * The console's hover text: status, the date of its last change, the last sighting, and
 * why the last opt-in text did not reach the subscriber (roaming, invalid number), if so.
 */
export function tooltipFor(line: LineState & { optInDeliveryProblem?: string | null }): string {
  const parts = [
    `${NETWORKS[line.network].name}: ${statusLabel(line.status)}${line.reason ? ` (${line.reason})` : ''}`,
    `since ${utcDay(line.statusChangedAt)}`,
    line.lastSeenAt ? `last seen ${utcDay(line.lastSeenAt)}` : 'never seen',
    ...(line.optInDeliveryProblem ? [`opt-in text undelivered: ${line.optInDeliveryProblem}`] : []),
  ];
  return parts.join(' · ');
}
