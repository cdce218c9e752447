import { StaleWriteError } from '../../common/errors/domain-error';
import type { Prisma } from '../../generated/prisma/client';

/**
 * The current transaction's id as the outbox stores it (outbox_events.txid's default).
 * Asking for it assigns one if the transaction has none yet.
 */
export const CURRENT_TXID = 'pg_current_xact_id()::text::bigint';

/**
 * Takes the next event sequence of a line, in the transaction about to write the line's
 * event, and returns it. It moves only when an event is written, so the sequences a
 * consumer sees are 1, 2, 3, ... without gaps.
 *
 * The UPDATE locks the line's row until commit, so two writers take sequences one after
 * the other. It refuses (StaleWriteError: the caller plans again in a new transaction)
 * when the line's last event was written by a transaction with a newer id than this
 * one: the relay publishes in transaction-id order, and this rule is what makes that
 * order the sequence order (the proof is at the relay, src/outbox/relay/outbox-relay.ts).
 */
export async function nextLineEvent(
  tx: Prisma.TransactionClient,
  lineId: string,
  lastSeenAt: Date | null,
): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ sequence: number }[]>(
    `UPDATE network_lines SET event_sequence = event_sequence + 1, event_txid = ${CURRENT_TXID},
       event_last_seen_at = $2
     WHERE id = $1::uuid AND event_txid <= ${CURRENT_TXID}
     RETURNING event_sequence AS sequence`,
    lineId,
    lastSeenAt,
  );
  if (rows.length !== 1)
    throw new StaleWriteError('A newer transaction wrote an event about this line first');
  return rows[0].sequence;
}

/** The same for users' events (UserRegistered, UserUpdated, UserDeleted), many at once. */
export async function nextUserEvents(
  tx: Prisma.TransactionClient,
  userIds: string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx.$queryRawUnsafe<{ id: string; sequence: number }[]>(
    `UPDATE users SET event_sequence = event_sequence + 1, event_txid = ${CURRENT_TXID}
     WHERE id = ANY($1::uuid[]) AND event_txid <= ${CURRENT_TXID}
     RETURNING id::text, event_sequence AS sequence`,
    userIds,
  );
  if (rows.length !== new Set(userIds).size) {
    throw new StaleWriteError('A newer transaction wrote an event about this user first');
  }
  return new Map(rows.map((row) => [row.id, row.sequence]));
}
