import type { UserStatus } from '../../generated/prisma/client';
import { presentLine, type LineView } from './line-view';
import { toLineRecord } from '../persistence/line-record';
import type { UserWithLines } from '../persistence/users.repository';

export interface UserView {
  id: string;
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  businessPhone: string | null;
  company: string | null;
  customerCode: string | null;
  udid: string | null;
  status: UserStatus;
  serviceLevel: string | null;
  messagingAppVersion: string | null;
  /** The latest sighting over the user's lines (the console's Last Seen), null if never seen. */
  lastSeenAt: string | null;
  registeredAt: string;
  updatedAt: string;
  networks: LineView[];
}

export function presentUser(user: UserWithLines, now: Date, staleAfterDays: number): UserView {
  const { lines, registeredAt, updatedAt, lastSeenAt, ...fields } = user;
  return {
    ...fields,
    lastSeenAt: lastSeenAt?.toISOString() ?? null,
    registeredAt: registeredAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    networks: lines.map((line) => presentLine(toLineRecord(line), now, staleAfterDays)),
  };
}
