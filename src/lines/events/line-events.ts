import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  UserDeletedSchema,
  UserRegisteredSchema,
  UserStatus as ProtoUserStatus,
  UserSchema,
  UserUpdatedSchema,
} from '../../generated/proto/mdn/provisioning/v1/events_pb';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { User } from '../../generated/prisma/client';
import type { OutboxMessage } from '../../outbox/outbox-message';
import type { Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus, TransitionSource } from '../domain/network-status';
import { USER_STATUS_LABELS } from '../domain/user-status';
import { networkStatusChangedEvents } from './network-status-changed.encoding';

/** The user fields every event carries, as stored, with the user's event sequence. */
export type UserSnapshot = Pick<
  User,
  | 'id'
  | 'organizationId'
  | 'firstName'
  | 'lastName'
  | 'username'
  | 'mdn'
  | 'email'
  | 'status'
  | 'businessPhone'
  | 'company'
  | 'customerCode'
  | 'udid'
  | 'registeredAt'
  | 'serviceLevel'
  | 'messagingAppVersion'
  | 'eventSequence'
>;

/** The columns a line event reads from the user (for a select or a raw query). */
export const USER_SNAPSHOT_FIELDS = {
  id: true,
  organizationId: true,
  firstName: true,
  lastName: true,
  username: true,
  mdn: true,
  email: true,
  status: true,
  businessPhone: true,
  company: true,
  customerCode: true,
  udid: true,
  registeredAt: true,
  serviceLevel: true,
  messagingAppVersion: true,
  eventSequence: true,
} as const satisfies Record<keyof UserSnapshot, true>;

export interface LineChange {
  organizationId: string;
  user: UserSnapshot;
  network: Network;
  previousStatus: NetworkStatus;
  status: NetworkStatus;
  reason: string | null;
  previousIndicator: Indicator;
  indicator: Indicator;
  indicatorReason: string | null;
  statusChangedAt: Date;
  lastSeenAt: Date | null;
  /** The line's event sequence, taken for this event (persistence/event-sequences.ts). */
  sequence: number;
  source: TransitionSource;
  occurredAt: Date;
}

/**
 * The event for a line's change: its whole state after it, with the console's labels.
 * Encoded as many are at once (network-status-changed.encoding.ts).
 */
export function networkStatusChanged(change: LineChange): OutboxMessage {
  return networkStatusChangedEvents([change])[0];
}

const USER_EVENTS = {
  registered: UserRegisteredSchema,
  updated: UserUpdatedSchema,
  deleted: UserDeletedSchema,
} as const;

/**
 * A user's lifecycle event, `user` as stored after the change with the event sequence
 * taken for it. `source` is set for a directory's acts (SCIM) only: the admin API's
 * events stay as they were, with none.
 */
export function userEvent(
  kind: keyof typeof USER_EVENTS,
  user: UserSnapshot,
  occurredAt: Date,
  source: TransitionSource = 'API',
): OutboxMessage {
  const schema = USER_EVENTS[kind];
  const eventId = randomUUID();
  const message = create(schema, {
    eventId,
    occurredAt: timestampFromDate(occurredAt),
    user: protoUser(user),
    organizationId: user.organizationId,
    source: source === 'API' ? '' : source,
    sequence: BigInt(user.eventSequence),
  });
  return {
    eventId,
    eventType: schema.typeName,
    key: user.id,
    organizationId: user.organizationId,
    payload: toBinary(schema, message),
  };
}

export function protoUser(user: UserSnapshot): MessageInitShape<typeof UserSchema> {
  return {
    userId: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    mdn: user.mdn,
    email: user.email,
    status: ProtoUserStatus[user.status],
    businessPhone: user.businessPhone ?? '',
    company: user.company ?? '',
    customerCode: user.customerCode ?? '',
    udid: user.udid ?? '',
    statusLabel: USER_STATUS_LABELS[user.status],
    sequence: BigInt(user.eventSequence),
    registeredAt: timestampFromDate(user.registeredAt),
    serviceLevel: user.serviceLevel ?? undefined,
    messagingAppVersion: user.messagingAppVersion ?? undefined,
  };
}
