import { NETWORK_KEYS, NETWORKS } from '../lines/domain/networks';
import type { ExportedUser as UserView } from '../lines/queries/exported-user';

/** A column of the export: its header, and the cell of one user. */
interface ExportColumn {
  header: string;
  cell(user: UserView): string;
}

/** The latest sighting over the user's lines (the console's Last Seen), as an ISO time. */
function lastSeen(user: UserView): string {
  const seen = user.networks.flatMap((line) => (line.lastSeenAt ? [line.lastSeenAt] : []));
  return seen.length === 0 ? '' : seen.reduce((latest, at) => (at > latest ? at : latest));
}

/** Per network: its status label, indicator and tooltip, empty when the user has no such line. */
function networkColumns(): ExportColumn[] {
  return NETWORK_KEYS.flatMap((network) => {
    const name = NETWORKS[network].name;
    const line = (user: UserView) => user.networks.find((candidate) => candidate.network === network);
    return [
      { header: `${name} Status`, cell: (user: UserView) => line(user)?.statusLabel ?? '' },
      { header: `${name} Indicator`, cell: (user: UserView) => line(user)?.indicator ?? '' },
      { header: `${name} Tooltip`, cell: (user: UserView) => line(user)?.tooltip ?? '' },
    ];
  });
}

/** The console's User Management columns, in its order. A new column is a line here. */
export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: 'User Status', cell: (user) => user.status },
  { header: 'First Name', cell: (user) => user.firstName },
  { header: 'Last Name', cell: (user) => user.lastName },
  { header: 'Username', cell: (user) => user.username },
  { header: 'Mobile', cell: (user) => user.mdn },
  { header: 'Email', cell: (user) => user.email },
  { header: 'Last Seen', cell: lastSeen },
  { header: 'Registration Date', cell: (user) => user.registeredAt },
  ...networkColumns(),
];

export const EXPORT_HEADERS = EXPORT_COLUMNS.map((column) => column.header);

export function exportRow(user: UserView): string[] {
  return EXPORT_COLUMNS.map((column) => column.cell(user));
}
