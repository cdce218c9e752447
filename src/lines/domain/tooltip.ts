import { statusLabel } from './network-status';
import type { LineState } from './status-machine';
import { NETWORKS } from './networks';

/** The console's hover text: status, the date of its last change, and the last sighting. */
export function tooltipFor(line: LineState): string {
  const parts = [
    `${NETWORKS[line.network].name}: ${statusLabel(line.status)}${line.reason ? ` (${line.reason})` : ''}`,
    `since ${day(line.statusChangedAt)}`,
    line.lastSeenAt ? `last seen ${day(line.lastSeenAt)}` : 'never seen',
  ];
  return parts.join(' · ');
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
