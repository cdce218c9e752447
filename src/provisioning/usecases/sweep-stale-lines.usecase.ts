import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { DatabaseService } from '../../database/database.service';
import { networkStatusChanged } from '../../events/event-messages';
import { Metrics } from '../../metrics/metrics.service';

import { indicatorCondition, type Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { lineConditionSql } from '../persistence/line-condition.sql';

/** Any number; it only has to be the same for every replica. */
const SWEEP_LOCK = 727_001;

/** Lines with after < id <= upTo. */
interface IdRange {
  after: string;
  upTo: string;
}
const WHOLE_RANGE: IdRange = {
  after: '00000000-0000-0000-0000-000000000000',
  upTo: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
};

interface SweptLine {
  id: string;
  userId: string;
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
 * Time alone can turn a line ORANGE (no sighting for the window), and nothing else. This
 * finds the lines whose stored indicator is not ORANGE yet but whose rule now says so,
 * stores the new indicator and writes their events, a batch per transaction, in
 * set-based SQL. A transaction-scoped advisory lock per partition makes a second
 * replica's sweep wait its turn, after which it finds nothing left to do: each event is
 * written once.
 */
@Injectable()
export class SweepStaleLines {
  constructor(
    private readonly database: DatabaseService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async execute(): Promise<number> {
    const now = this.clock.now();
    // On PostgreSQL the two halves of the lines are swept side by side (the database and
    // this process overlap their work); the embedded database has one connection.
    const ranges = this.database.kind === 'postgres' ? await this.halves() : [WHOLE_RANGE];
    const swept = await Promise.all(ranges.map((range, part) => this.sweepRange(now, part, range)));
    const total = swept.reduce((sum, count) => sum + count, 0);
    this.metrics.linesSwept.inc(total);
    return total;
  }

  /** Two id ranges holding about half the lines each, split at the median id. */
  private async halves(): Promise<IdRange[]> {
    const [row] = await this.database.prisma.$queryRaw<{ median: string | null }[]>`
      SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY id))::text AS median FROM network_lines`;
    if (!row?.median) return [WHOLE_RANGE];
    return [
      { after: WHOLE_RANGE.after, upTo: row.median },
      { after: row.median, upTo: WHOLE_RANGE.upTo },
    ];
  }

  private async sweepRange(now: Date, part: number, range: IdRange): Promise<number> {
    let total = 0;
    // Keyset pagination: each batch starts after the last line the previous one reached.
    let after = range.after;
    for (;;) {
      const batch = await this.sweepBatch(now, part, { after, upTo: range.upTo });
      total += batch.swept;
      if (batch.scannedTo === null) return total;
      after = batch.scannedTo;
    }
  }

  private sweepBatch(
    now: Date,
    part: number,
    range: IdRange,
  ): Promise<{ swept: number; scannedTo: string | null }> {
    const orange = lineConditionSql(indicatorCondition('ORANGE', now, this.config.staleAfterDays));
    return this.database.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SWEEP_LOCK + part})`;
        const lines = await tx.$queryRaw<SweptLine[]>`
          WITH due AS (
            SELECT l.id, l.indicator AS previous, u.mdn
            FROM network_lines l JOIN users u ON u.id = l.user_id
            WHERE l.id > ${range.after}::uuid AND l.id <= ${range.upTo}::uuid
              AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
            ORDER BY l.id LIMIT ${this.config.events.sweepBatchSize})
          UPDATE network_lines l SET indicator = 'ORANGE'::"Indicator", sequence = l.sequence + 1
          FROM due WHERE l.id = due.id
            -- Checked again on the row itself: a line changed meanwhile is left alone.
            AND l.indicator <> 'ORANGE'::"Indicator" AND ${orange}
          RETURNING l.id::text, l.user_id::text AS "userId", due.mdn, l.network, l.status::text AS status, l.reason,
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
            occurredAt: now,
          }),
        );
        await tx.$executeRaw`
          INSERT INTO outbox_events (event_id, event_type, key, payload)
          SELECT event_id, event_type, key, decode(payload, 'base64') FROM unnest(
            ${events.map((event) => event.eventId)}::uuid[],
            ${events.map((event) => event.eventType)}::text[],
            ${events.map((event) => event.key)}::text[],
            ${events.map((event) => Buffer.from(event.payload).toString('base64'))}::text[])
            AS e(event_id, event_type, key, payload)`;
        // Lines changed meanwhile are skipped, so a short batch does not mean the end.
        const scannedTo = maxId(lines);
        return { swept: lines.length, scannedTo };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }
}

function maxId(lines: SweptLine[]): string {
  return lines.reduce((max, line) => (line.id > max ? line.id : max), lines[0].id);
}
