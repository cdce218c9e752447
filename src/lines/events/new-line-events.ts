import type { Prisma } from '../../generated/prisma/client';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import type { OutboxMessage } from '../../outbox/outbox-message';
import { computeIndicator, type Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus, TransitionSource } from '../domain/network-status';
import { CURRENT_TXID } from '../persistence/event-sequences';
import { networkStatusChanged, type UserSnapshot } from './line-events';
import { USER_SNAPSHOT_JSON_SQL } from '../persistence/user-snapshot.sql';

interface NewLine {
  id: string;
  organizationId: string;
  network: Network;
  status: NetworkStatus;
  reason: string | null;
  statusChangedAt: Date;
  user: Omit<UserSnapshot, 'registeredAt'> & { registeredAt: string };
}

/**
 * The lines module's writer of a line's first event, for any transaction that makes lines
 * (this module's registrations, the provisioning flow's found networks), as appendToOutbox
 * is the outbox's.
 *
 * The first event of each line of these users that has had none: a consumer learns a
 * line when it comes to be (registration, a network found or added), not at its first
 * change. Called in the transaction that made the lines, after the user's own event.
 */
export async function appendNewLineEvents(
  tx: Prisma.TransactionClient,
  userIds: string[],
  now: Date,
  source: TransitionSource,
): Promise<void> {
  if (userIds.length === 0) return;
  const lines = await tx.$queryRawUnsafe<NewLine[]>(
    `WITH fresh AS (
       UPDATE network_lines l SET event_sequence = 1, event_txid = ${CURRENT_TXID},
         event_last_seen_at = l.last_seen_at
       WHERE l.user_id = ANY($1::uuid[]) AND l.event_sequence = 0 AND l.event_txid <= ${CURRENT_TXID}
       RETURNING l.id, l.user_id, l.organization_id, l.network, l.status, l.reason, l.status_changed_at)
     SELECT f.id::text, f.organization_id::text AS "organizationId", f.network, f.status::text AS status,
       f.reason, f.status_changed_at AS "statusChangedAt", ${USER_SNAPSHOT_JSON_SQL} AS "user"
     FROM fresh f JOIN users u ON u.id = f.user_id ORDER BY f.id`,
    userIds,
  );
  const first = lines.map((line) => ({
    ...line,
    user: { ...line.user, registeredAt: new Date(line.user.registeredAt) },
  }));
  const indicators = first.map(firstIndicator);
  // The line's stored indicator is the one last published: this one.
  await tx.$executeRawUnsafe(
    `UPDATE network_lines l SET indicator = i.indicator::"Indicator"
     FROM unnest($1::uuid[], $2::text[]) AS i(id, indicator) WHERE l.id = i.id AND l.indicator::text <> i.indicator`,
    lines.map((line) => line.id),
    indicators,
  );
  await appendBulkToOutbox(tx, firstLineMessages(first, now, source));
}

/** A line that has just come to be, with its user as stored (for its first event). */
export type FirstLine = Omit<NewLine, 'user'> & { user: UserSnapshot };

/** The indicator of a line never seen: the staleness window plays no part, whatever its length. */
export function firstIndicator(line: Pick<FirstLine, 'network' | 'status' | 'reason'>): Indicator {
  return computeIndicator({ ...line, lastSeenAt: null }, new Date(0), 0).indicator;
}

/**
 * The first event of each line, sequence 1 (the relay derives the line's state record from
 * it): for appendNewLineEvents, and for a bulk registration that wrote its lines with
 * sequence and indicator already (an import: it knows them, and spares its 100,000 lines
 * an UPDATE each).
 */
export function firstLineMessages(lines: FirstLine[], now: Date, source: TransitionSource): OutboxMessage[] {
  return lines.map((line) => {
    const indicator = computeIndicator({ ...line, lastSeenAt: null }, now, 0);
    return networkStatusChanged({
      organizationId: line.organizationId,
      user: line.user,
      network: line.network,
      previousStatus: line.status,
      status: line.status,
      reason: line.reason,
      previousIndicator: indicator.indicator,
      indicator: indicator.indicator,
      indicatorReason: indicator.reason,
      statusChangedAt: line.statusChangedAt,
      lastSeenAt: null,
      sequence: 1,
      source,
      occurredAt: now,
    });
  });
}
