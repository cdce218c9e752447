import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client';
import { DatabaseService } from '../../database/database.service';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { networkStatusChangedEvents } from '../events/network-status-changed.encoding';
import { CURRENT_TXID } from './event-sequences';
import type { Indicator, LineCondition } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { lineConditionSql } from './line-condition.sql';
import {
  USER_SNAPSHOT_COLUMNS_SQL,
  userSnapshotColumnsOf,
  userSnapshotFromColumns,
  type UserSnapshotColumns,
} from './user-snapshot.sql';

/** Any number; it only has to be the same for every replica. */
const SWEEP_LOCK = 727_001;

/** Where a sweep of one part has got to: lines after this (last seen, id) are left. */
export interface SweepCursor {
  lastSeenAt: Date;
  id: string;
}

export const SWEEP_START: SweepCursor = {
  lastSeenAt: new Date(0),
  id: '00000000-0000-0000-0000-000000000000',
};

export interface SweepBatch {
  /** Where the sweep turns ORANGE and what counts as due: the rule, from the domain. */
  orange: LineCondition;
  /** The last-seen time before which a line is stale, the bound of the index scan. */
  seenBefore: Date;
  now: Date;
  /** Which part of the lines this is (of `parts`): each has its own lock. */
  part: number;
  parts: number;
  after: SweepCursor;
  limit: number;
}

interface SweptLine extends UserSnapshotColumns {
  id: string;
  organizationId: string;
  network: Network;
  status: NetworkStatus;
  reason: string | null;
  /** Epoch milliseconds: a million rows parse much faster as numbers than as dates. */
  statusChangedMs: number;
  lastSeenMs: number | null;
  sequence: number;
  previousIndicator: Indicator;
}

/**
 * The staleness sweep's set-based SQL: whole batches of lines at once. Their events are
 * built by lines/events and written by the outbox writer's bulk form, in the same
 * transaction as the UPDATE that returned the lines.
 */
@Injectable()
export class StaleLinesRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * How many parts to sweep side by side: two on PostgreSQL (the database and this
   * process overlap their work), one on the embedded database (one connection). A line's
   * part is a bit of its id's random tail, so the parts are even without reading the table.
   */
  parts(): number {
    return this.database.kind === 'postgres' ? 2 : 1;
  }

  /**
   * Turns the next `limit` due lines of the part ORANGE and writes their events, in one
   * transaction under the part's advisory lock. Returns how many, and where it got to
   * (null once the part has none left).
   */
  turnOrange(batch: SweepBatch): Promise<{ swept: number; scannedTo: SweepCursor | null }> {
    return this.database.transactionAcrossOrganizations(
      async (sql) => {
        // PostgreSQL's planner costs this statement past jit_above_cost in a large table
        // (10,000,000 lines), and compiling it took about 22 ms a batch: a quarter of the
        // statement's time.
        await sql.execute('SET LOCAL jit = off');
        await sql.execute('SELECT pg_advisory_xact_lock($1)', [SWEEP_LOCK + batch.part]);
        const statement = turnOrangeSql(batch);
        const lines = await sql.query<SweptLine>(statement.text, statement.values);
        if (lines.length === 0) return { swept: 0, scannedTo: null };
        const events = networkStatusChangedEvents(
          lines.map((line) => ({
            organizationId: line.organizationId,
            network: line.network,
            status: line.status,
            reason: line.reason,
            sequence: line.sequence,
            previousIndicator: line.previousIndicator,
            user: userSnapshotFromColumns(line),
            statusChangedAt: new Date(line.statusChangedMs),
            lastSeenAt: line.lastSeenMs === null ? null : new Date(line.lastSeenMs),
            previousStatus: line.status,
            indicator: 'ORANGE',
            indicatorReason: null,
            source: 'SWEEP',
            occurredAt: batch.now,
          })),
        );
        // Each line's state record is derived from its event by the relay (outbox/line-state-record.ts).
        await appendBulkToOutbox(sql, events);
        // Lines changed meanwhile are skipped, so a short batch does not mean the end.
        return { swept: lines.length, scannedTo: lastOf(lines) };
      },
      // For the embedded database's Prisma transaction; pg's statements have the pool's bounds.
      { timeout: 120_000, maxWait: 30_000 },
    );
  }
}

/**
 * The next `limit` due lines of the part turned ORANGE, each returned with what its event
 * needs. Each line takes its next event sequence on its own row, after the UPDATE has
 * locked it; a line whose last event a newer transaction wrote is left for the next pass
 * (see event-sequences.ts and the relay's comment on order).
 */
function turnOrangeSql(batch: SweepBatch): Prisma.Sql {
  const orange = lineConditionSql(batch.orange);
  return Prisma.sql`
    WITH due AS (
      SELECT l.id, l.indicator AS previous, ${Prisma.raw(USER_SNAPSHOT_COLUMNS_SQL)}
      FROM network_lines l JOIN users u ON u.id = l.user_id
      -- The partial index network_lines_sweep_due_idx, read from the cursor on in
      -- last-seen order up to the stale bound: only lines that may be due.
      WHERE l.indicator NOT IN ('ORANGE'::"Indicator", 'RED'::"Indicator")
        AND l.last_seen_at < ${batch.seenBefore}
        AND (l.last_seen_at, l.id) > (${batch.after.lastSeenAt}, ${batch.after.id}::uuid)
        AND get_byte(uuid_send(l.id), 15) % ${batch.parts} = ${batch.part}
        AND ${orange}
      ORDER BY l.last_seen_at, l.id LIMIT ${batch.limit})
    UPDATE network_lines l SET indicator = 'ORANGE'::"Indicator", sequence = l.sequence + 1,
      event_sequence = l.event_sequence + 1, event_txid = ${Prisma.raw(CURRENT_TXID)},
      event_last_seen_at = l.last_seen_at
    FROM due WHERE l.id = due.id
      -- Checked again on the row itself: a line changed meanwhile is left alone.
      AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
      AND l.event_txid <= ${Prisma.raw(CURRENT_TXID)}
    RETURNING l.id::text, l.organization_id::text AS "organizationId", l.network, l.status::text AS status, l.reason,
      (extract(epoch FROM l.status_changed_at) * 1000)::float8 AS "statusChangedMs",
      (extract(epoch FROM l.last_seen_at) * 1000)::float8 AS "lastSeenMs", l.event_sequence AS sequence,
      due.previous::text AS "previousIndicator", ${Prisma.raw(userSnapshotColumnsOf('due'))}`;
}

/** The batch's last line in sweep order (last seen, then id): the next batch starts after it. */
function lastOf(lines: SweptLine[]): SweepCursor {
  const last = lines.reduce((max, line) =>
    (line.lastSeenMs ?? 0) > (max.lastSeenMs ?? 0) ||
    ((line.lastSeenMs ?? 0) === (max.lastSeenMs ?? 0) && line.id > max.id)
      ? line
      : max,
  );
  return { lastSeenAt: new Date(last.lastSeenMs ?? 0), id: last.id };
}
