import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client';
import { DatabaseService } from '../../database/database.service';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { networkStatusChanged, type UserSnapshot } from '../events/line-events';
import { CURRENT_TXID } from './event-sequences';
import { lineState } from './line-states';
import type { Indicator, LineCondition } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { lineConditionSql } from './line-condition.sql';
import { USER_SNAPSHOT_JSON_SQL } from './user-snapshot.sql';

/** Any number; it only has to be the same for every replica. */
const SWEEP_LOCK = 727_001;

/** Lines with after < id <= upTo. */
export interface IdRange {
  after: string;
  upTo: string;
}

const WHOLE_RANGE: IdRange = {
  after: '00000000-0000-0000-0000-000000000000',
  upTo: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
};

export interface SweepBatch {
  /** Where the sweep turns ORANGE and what counts as due: the rule, from the domain. */
  orange: LineCondition;
  now: Date;
  /** Which range this is: each has its own lock. */
  part: number;
  range: IdRange;
  limit: number;
}

interface SweptLine {
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
  user: Omit<UserSnapshot, 'registeredAt'> & { registeredAt: string };
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
   * On PostgreSQL, two id ranges holding about half the lines each (split at the median
   * id), to be swept side by side; the embedded database has one connection: one range.
   */
  async partitions(): Promise<IdRange[]> {
    if (this.database.kind !== 'postgres') return [WHOLE_RANGE];
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ median: string | null }[]>`
      SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY id))::text AS median FROM network_lines`,
    );
    if (!row?.median) return [WHOLE_RANGE];
    return [
      { after: WHOLE_RANGE.after, upTo: row.median },
      { after: row.median, upTo: WHOLE_RANGE.upTo },
    ];
  }

  /**
   * Turns the next `limit` due lines of the range ORANGE and writes their events, in one
   * transaction under the range's advisory lock. Returns how many, and the last id
   * reached (null once the range has none left).
   */
  turnOrange(batch: SweepBatch): Promise<{ swept: number; scannedTo: string | null }> {
    const orange = lineConditionSql(batch.orange);
    return this.database.transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SWEEP_LOCK + batch.part})`;
        // Each line takes its next event sequence on its own row, after the UPDATE has
        // locked it; a line whose last event a newer transaction wrote is left for the
        // next pass (see event-sequences.ts and the relay's comment on order).
        const lines = await tx.$queryRaw<SweptLine[]>`
          WITH due AS (
            SELECT l.id, l.indicator AS previous, ${Prisma.raw(USER_SNAPSHOT_JSON_SQL)} AS "user"
            FROM network_lines l JOIN users u ON u.id = l.user_id
            WHERE l.id > ${batch.range.after}::uuid AND l.id <= ${batch.range.upTo}::uuid
              AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
            ORDER BY l.id LIMIT ${batch.limit})
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
            due.previous::text AS "previousIndicator", due."user"`;
        if (lines.length === 0) return { swept: 0, scannedTo: null };
        const events = lines.map((line) =>
          networkStatusChanged({
            ...line,
            user: { ...line.user, registeredAt: new Date(line.user.registeredAt) },
            statusChangedAt: new Date(line.statusChangedMs),
            lastSeenAt: line.lastSeenMs === null ? null : new Date(line.lastSeenMs),
            previousStatus: line.status,
            indicator: 'ORANGE',
            indicatorReason: null,
            source: 'SWEEP',
            occurredAt: batch.now,
          }),
        );
        // Each line's event, then its current-state record (built from the same row).
        const states = lines.map((line) =>
          lineState(
            {
              ...line,
              userId: line.user.id,
              indicator: 'ORANGE',
              statusChangedAt: new Date(line.statusChangedMs),
              lastSeenAt: line.lastSeenMs === null ? null : new Date(line.lastSeenMs),
            },
            batch.now,
          ),
        );
        await appendBulkToOutbox(tx, [...events, ...states]);
        // Lines changed meanwhile are skipped, so a short batch does not mean the end.
        return { swept: lines.length, scannedTo: maxId(lines) };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }
}

function maxId(lines: SweptLine[]): string {
  return lines.reduce((max, line) => (line.id > max ? line.id : max), lines[0].id);
}
