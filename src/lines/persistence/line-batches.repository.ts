import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client';
import { DatabaseService } from '../../database/database.service';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { networkStatusChanged, type UserSnapshot } from '../events/line-events';
import type { IndicatorResult } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { Transition } from '../domain/status-machine';
import { CURRENT_TXID } from './event-sequences';
import { toLineRecord, type LineRecord } from './line-record';
import { USER_SNAPSHOT_JSON_SQL } from './user-snapshot.sql';
import { uuidV7 } from '../../common/uuids';

/**
 * One line written as planned: `next` is the whole row after the change (status, last
 * seen, indicator, the call in flight), landing only if the line is still at the
 * sequence it was read at and its user is not deleted.
 */
export interface PlannedChange {
  line: LineRecord;
  next: LineRecord;
  indicator: IndicatorResult;
  /** The move to keep in the history; none for a sighting. */
  transition?: Transition;
  /** Whether the change has an event (and so takes the line's next event sequence). */
  publishes: boolean;
  /** The `traceparent` its event carries: the trace of the delivery that caused it. */
  traceParent: string | null;
}

/**
 * Lines read and written many at once, for the webhook inbox's batches: one statement
 * to find a batch's lines by number, one transaction of four statements to write them,
 * whatever the batch's size. The rules are the single-line path's (LinesRepository);
 * a line this path cannot write is returned, for that path to take.
 */
@Injectable()
export class LineBatchesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** The live lines on these (number, network) pairs, keyed `network:mdn`. */
  async findByMdns(keys: { mdn: string; network: Network }[]): Promise<Map<string, LineRecord>> {
    if (keys.length === 0) return new Map();
    const rows = await this.database.run((db) =>
      db.networkLine.findMany({
        where: {
          network: { in: [...new Set(keys.map((key) => key.network))] },
          user: { mdn: { in: [...new Set(keys.map((key) => key.mdn))] }, status: { not: 'DELETED' } },
        },
        include: { user: { select: { mdn: true } } },
      }),
    );
    return new Map(rows.map((row) => [lineKey(row.user.mdn, row.network as Network), toLineRecord(row)]));
  }

  /**
   * Writes the changes in one transaction: the lines (each only at the sequence it was
   * read at; one that publishes, only if no newer transaction wrote its last event), the
   * history of the moves, and the events (the relay derives the state records). Returns
   * the changes that landed; the others changed nothing.
   */
  apply(changes: PlannedChange[], now: Date): Promise<PlannedChange[]> {
    if (changes.length === 0) return Promise.resolve([]);
    const byId = new Map(changes.map((change) => [change.line.id, change]));
    return this.database.transaction(async (tx) => {
      const written = await tx.$queryRaw<{ id: string; eventSequence: number; user: RawSnapshot }[]>`
        UPDATE network_lines l SET status = c.status::"NetworkStatus", reason = c.reason,
          status_changed_at = c.status_changed_at, last_seen_at = c.last_seen_at,
          indicator = c.indicator::"Indicator", inflight_kind = c.inflight_kind::"InFlightKind",
          inflight_phase = c.inflight_phase::"InFlightPhase", inflight_key = c.inflight_key,
          inflight_since = c.inflight_since, reconcile_at = c.reconcile_at, sequence = l.sequence + 1,
          event_sequence = l.event_sequence + CASE WHEN c.publishes THEN 1 ELSE 0 END,
          event_txid = CASE WHEN c.publishes THEN ${Prisma.raw(CURRENT_TXID)} ELSE l.event_txid END,
          event_last_seen_at = CASE WHEN c.publishes THEN c.last_seen_at ELSE l.event_last_seen_at END
        FROM jsonb_to_recordset(${JSON.stringify(changes.map(toRecord))}::jsonb) AS c(
            id uuid, sequence int, status text, reason text, status_changed_at timestamptz,
            last_seen_at timestamptz, indicator text, inflight_kind text, inflight_phase text,
            inflight_key text, inflight_since timestamptz, reconcile_at timestamptz, publishes bool)
        -- The user is read per line, by its key, not joined: under row-level security the
        -- planner takes "live users" for one row and hashed every line of every user
        -- (75 ms a batch of 300 at 20,000 lines; the whole table at any size).
        WHERE l.id = c.id AND l.sequence = c.sequence
          AND (SELECT u.status FROM users u WHERE u.id = l.user_id) <> 'DELETED'
          AND (NOT c.publishes OR l.event_txid <= ${Prisma.raw(CURRENT_TXID)})
        RETURNING l.id::text, l.event_sequence AS "eventSequence",
          (SELECT ${Prisma.raw(USER_SNAPSHOT_JSON_SQL)} FROM users u WHERE u.id = l.user_id) AS "user"`;
      const landed = written.map(({ id, eventSequence, user }) => {
        const change = byId.get(id)!;
        return { change, eventSequence, user: { ...user, registeredAt: new Date(user.registeredAt) } };
      });
      await insertHistory(
        tx,
        landed.map(({ change }) => change).filter((change) => change.transition),
      );
      const published = landed.filter(({ change }) => change.publishes);
      await appendBulkToOutbox(
        tx,
        published.map(({ change, eventSequence, user }) => ({
          ...networkStatusChanged({
            organizationId: change.line.organizationId,
            user,
            network: change.line.network,
            previousStatus: change.line.status,
            status: change.next.status,
            reason: change.next.reason,
            previousIndicator: change.line.indicator,
            indicator: change.indicator.indicator,
            indicatorReason: change.indicator.reason,
            statusChangedAt: change.next.statusChangedAt,
            lastSeenAt: change.next.lastSeenAt,
            sequence: eventSequence,
            source: change.transition?.source ?? 'CARRIER_CALLBACK',
            occurredAt: change.transition?.occurredAt ?? now,
          }),
          traceParent: change.traceParent,
        })),
      );
      return landed.map(({ change }) => change);
    });
  }
}

export function lineKey(mdn: string, network: Network): string {
  return `${network}:${mdn}`;
}

type RawSnapshot = Omit<UserSnapshot, 'registeredAt'> & { registeredAt: string };

function toRecord({ line, next, indicator, publishes }: PlannedChange) {
  return {
    id: line.id,
    sequence: line.sequence,
    status: next.status,
    reason: next.reason,
    status_changed_at: next.statusChangedAt,
    last_seen_at: next.lastSeenAt,
    indicator: indicator.indicator,
    inflight_kind: next.inflightKind,
    inflight_phase: next.inflightPhase,
    inflight_key: next.inflightKey,
    inflight_since: next.inflightSince,
    reconcile_at: next.reconcileAt,
    publishes,
  };
}

async function insertHistory(tx: Prisma.TransactionClient, moves: PlannedChange[]): Promise<void> {
  if (moves.length === 0) return;
  const rows = moves.map(({ line, transition }) => ({
    id: uuidV7(),
    line_id: line.id,
    organization_id: line.organizationId,
    from_status: transition!.from,
    to_status: transition!.to,
    reason: transition!.reason,
    source: transition!.source,
    detail: transition!.detail,
    occurred_at: transition!.occurredAt,
    line_sequence: line.sequence + 1,
  }));
  await tx.$executeRaw`
    INSERT INTO status_history (id, line_id, organization_id, from_status, to_status, reason, source,
      detail, occurred_at, line_sequence)
    SELECT h.id, h.line_id, h.organization_id, h.from_status::"NetworkStatus", h.to_status::"NetworkStatus",
      h.reason, h.source::"TransitionSource", h.detail, h.occurred_at, h.line_sequence
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS h(id uuid, line_id uuid, organization_id uuid,
      from_status text, to_status text, reason text, source text, detail text, occurred_at timestamptz,
      line_sequence int)`;
}
