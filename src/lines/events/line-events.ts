import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  Indicator as ProtoIndicator,
  Network as ProtoNetwork,
  NetworkStatus as ProtoNetworkStatus,
  NetworkStatusChangedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserStatus as ProtoUserStatus,
  UserUpdatedSchema,
} from '../../generated/proto/mdn/provisioning/v1/events_pb';
import type { User } from '../../generated/prisma/client';
import type { OutboxMessage } from '../../outbox/outbox-message';
import type { Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus, TransitionSource } from '../domain/network-status';

export interface LineChange {
  organizationId: string;
  userId: string;
  mdn: string;
  network: Network;
  previousStatus: NetworkStatus;
  status: NetworkStatus;
  reason: string | null;
  previousIndicator: Indicator;
  indicator: Indicator;
  indicatorReason: string | null;
  statusChangedAt: Date;
  lastSeenAt: Date | null;
  sequence: number;
  source: TransitionSource;
  occurredAt: Date;
}

export function networkStatusChanged(change: LineChange): OutboxMessage {
  const eventId = randomUUID();
  const message = create(NetworkStatusChangedSchema, {
    eventId,
    occurredAt: timestampFromDate(change.occurredAt),
    userId: change.userId,
    mdn: change.mdn,
    network: ProtoNetwork[change.network.toUpperCase() as keyof typeof ProtoNetwork],
    previousStatus: ProtoNetworkStatus[change.previousStatus],
    status: ProtoNetworkStatus[change.status],
    reason: change.reason ?? '',
    previousIndicator: ProtoIndicator[change.previousIndicator],
    indicator: ProtoIndicator[change.indicator],
    indicatorReason: change.indicatorReason ?? '',
    statusChangedAt: timestampFromDate(change.statusChangedAt),
    lastSeenAt: change.lastSeenAt ? timestampFromDate(change.lastSeenAt) : undefined,
    sequence: BigInt(change.sequence),
    source: change.source,
    organizationId: change.organizationId,
  });
  return {
    eventId,
    eventType: NetworkStatusChangedSchema.typeName,
    key: change.userId,
    organizationId: change.organizationId,
    payload: toBinary(NetworkStatusChangedSchema, message),
  };
}

/** The user fields the lifecycle events carry, as stored. */
export type UserSnapshot = Pick<
  User,
  'id' | 'organizationId' | 'firstName' | 'lastName' | 'username' | 'mdn' | 'email' | 'status'
>;

const USER_EVENTS = {
  registered: UserRegisteredSchema,
  updated: UserUpdatedSchema,
  deleted: UserDeletedSchema,
} as const;

/**
 * A user's lifecycle event. `source` is set for a directory's acts (SCIM) only: the admin
 * API's events stay as they were, with none.
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
    user: {
      userId: user.id,
      firstName: user.firstName,
      lastName: user.lastName,
      username: user.username,
      mdn: user.mdn,
      email: user.email,
      status: ProtoUserStatus[user.status],
    },
    organizationId: user.organizationId,
    source: source === 'API' ? '' : source,
  });
  return {
    eventId,
    eventType: schema.typeName,
    key: user.id,
    organizationId: user.organizationId,
    payload: toBinary(schema, message),
  };
}
