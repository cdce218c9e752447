import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { networkStatusChanged } from '../events/line-events';
import type { Indicator, LineCondition } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { lineConditionSql } from './line-condition.sql';

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
  userId: string;
  organizationId: string;
  mdn: string;
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
        const lines = await tx.$queryRaw<SweptLine[]>`
          WITH due AS (
            SELECT l.id, l.indicator AS previous, u.mdn
            FROM network_lines l JOIN users u ON u.id = l.user_id
            WHERE l.id > ${batch.range.after}::uuid AND l.id <= ${batch.range.upTo}::uuid
              AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
            ORDER BY l.id LIMIT ${batch.limit})
          UPDATE network_lines l SET indicator = 'ORANGE'::"Indicator", sequence = l.sequence + 1
          FROM due WHERE l.id = due.id
            -- Checked again on the row itself: a line changed meanwhile is left alone.
            AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
          RETURNING l.id::text, l.user_id::text AS "userId", l.organization_id::text AS "organizationId", due.mdn, l.network, l.status::text AS status, l.reason,
            (extract(epoch FROM l.status_changed_at) * 1000)::float8 AS "statusChangedMs",
            (extract(epoch FROM l.last_seen_at) * 1000)::float8 AS "lastSeenMs", l.sequence,
            due.previous::text AS "previousIndicator"`;
        if (lines.length === 0) return { swept: 0, scannedTo: null };
        const events = lines.map((line) =>
          networkStatusChanged({
            ...line,
            statusChangedAt: new Date(line.statusChangedMs),
            lastSeenAt: line.lastSeenMs === null ? null : new Date(line.lastSeenMs),
            previousStatus: line.status,
            indicator: 'ORANGE',
            indicatorReason: null,
            source: 'SWEEP',
            occurredAt: batch.now,
          }),
        );
        await appendBulkToOutbox(tx, events);
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
