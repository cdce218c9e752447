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
  /** The sequence of the user's last event (UserRegistered/Updated/Deleted). */
  sequence: number;
  networks: LineView[];
}

export function presentUser(user: UserWithLines, now: Date, staleAfterDays: number): UserView {
  // Named one by one: the row also holds bookkeeping (event sequences, idempotency) that is no one's business.
  return {
    id: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    mdn: user.mdn,
    email: user.email,
    businessPhone: user.businessPhone,
    company: user.company,
    customerCode: user.customerCode,
    udid: user.udid,
    status: user.status,
    serviceLevel: user.serviceLevel,
    messagingAppVersion: user.messagingAppVersion,
    lastSeenAt: user.lastSeenAt?.toISOString() ?? null,
    registeredAt: user.registeredAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    sequence: user.eventSequence,
    networks: user.lines.map((line) => presentLine(toLineRecord(line), now, staleAfterDays)),
  };
}
