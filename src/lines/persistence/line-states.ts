import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  Indicator as ProtoIndicator,
  LineStateSchema,
  Network as ProtoNetwork,
  NetworkStatus as ProtoNetworkStatus,
} from '../../generated/proto/mdn/provisioning/v1/events_pb';
import type { Prisma } from '../../generated/prisma/client';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import type { OutboxMessage } from '../../outbox/outbox-message';
import type { Indicator } from '../domain/indicator';
import { NETWORKS, type Network } from '../domain/networks';
import { NETWORK_STATUSES, statusLabel, type NetworkStatus } from '../domain/network-status';
import { tooltipFor } from '../domain/tooltip';
import { protoUser, type UserSnapshot } from '../events/line-events';
import { USER_SNAPSHOT_JSON_SQL } from './user-snapshot.sql';

/** The compacted topic's record type (an empty payload is a tombstone). */
export const LINE_STATE = LineStateSchema.typeName;

/** A line as its state record shows it (`lastSeenAt`: as its last event carried it). */
export interface StoredLine {
  userId: string;
  organizationId: string;
  network: Network;
  status: NetworkStatus;
  reason: string | null;
  indicator: Indicator;
  statusChangedAt: Date;
  lastSeenAt: Date | null;
  sequence: number;
  user: Omit<UserSnapshot, 'registeredAt'> & { registeredAt: string };
}

/**
 * The current-state records of every line of the users given (the compacted topic), written
 * in the transaction that changed the users, after their events: a user's change shows on
 * each of its lines, and a deleted user's lines get tombstones. Each record carries the
 * line's and the user's last event sequences, which is how a consumer hands over from this
 * topic to the change topic. A line's own change writes no record: the relay derives it
 * from the line's event (outbox/line-state-record.ts).
 */
export async function appendUsersLineStates(
  tx: Prisma.TransactionClient,
  userIds: string[],
  now: Date,
): Promise<void> {
  if (userIds.length === 0) return;
  const lines = await tx.$queryRawUnsafe<StoredLine[]>(
    `SELECT l.user_id::text AS "userId", l.organization_id::text AS "organizationId", l.network,
       l.status::text AS status, l.reason, l.indicator::text AS indicator,
       l.status_changed_at AS "statusChangedAt", l.event_last_seen_at AS "lastSeenAt",
       l.event_sequence AS sequence, ${USER_SNAPSHOT_JSON_SQL} AS "user"
     FROM network_lines l JOIN users u ON u.id = l.user_id
     WHERE l.user_id = ANY($1::uuid[]) AND l.event_sequence > 0
     ORDER BY l.id`,
    userIds,
  );
  await appendBulkToOutbox(
    tx,
    lines.map((line) => lineState(line, now)),
  );
}

/**
 * A line's record for the state topic, as the user's change leaves it; the relay's
 * derivation from a line event must give the same (test/unit/line-state-records.spec.ts).
 */
export function lineState(line: StoredLine, now: Date): OutboxMessage {
  const key = `${line.userId}:${line.network}`;
  const base = { eventId: randomUUID(), eventType: LINE_STATE, key, organizationId: line.organizationId };
  if (line.user.status === 'DELETED') return { ...base, payload: new Uint8Array() };
  const message = create(LineStateSchema, {
    organizationId: line.organizationId,
    user: protoUser({ ...line.user, registeredAt: new Date(line.user.registeredAt) }),
    network: ProtoNetwork[line.network.toUpperCase() as keyof typeof ProtoNetwork],
    networkKey: line.network,
    networkLabel: NETWORKS[line.network].name,
    status: ProtoNetworkStatus[line.status],
    statusLabel: statusLabel(line.status),
    reason: line.reason ?? '',
    indicator: ProtoIndicator[line.indicator],
    indicatorReason: line.indicator === 'RED' ? (line.reason ?? NETWORK_STATUSES[line.status].redReason) : '',
    tooltip: tooltipFor(line),
    statusChangedAt: timestampFromDate(line.statusChangedAt),
    lastSeenAt: line.lastSeenAt ? timestampFromDate(line.lastSeenAt) : undefined,
    sequence: BigInt(line.sequence),
    updatedAt: timestampFromDate(now),
  });
  return { ...base, payload: toBinary(LineStateSchema, message) };
}
