import { computeIndicator, type Indicator } from '../domain/indicator';
import { statusLabel } from '../domain/network-status';
import { tooltipFor } from '../domain/tooltip';
import type { ExportedUserRow } from '../persistence/user-list.repository';

/** A user as an export writes it: the console's columns, each line as the console shows it. */
export interface ExportedUser {
  id: string;
  status: string;
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  registeredAt: string;
  networks: {
    network: string;
    statusLabel: string;
    indicator: Indicator;
    tooltip: string;
    lastSeenAt: string | null;
  }[];
}

export function presentExportedUser(row: ExportedUserRow, now: Date, staleAfterDays: number): ExportedUser {
  const { lines, registeredAt, ...fields } = row;
  return {
    ...fields,
    registeredAt: registeredAt.toISOString(),
    networks: lines.map((line) => ({
      network: line.network,
      statusLabel: statusLabel(line.status),
      indicator: computeIndicator(line, now, staleAfterDays).indicator,
      tooltip: tooltipFor(line),
      lastSeenAt: line.lastSeenAt?.toISOString() ?? null,
    })),
  };
}
