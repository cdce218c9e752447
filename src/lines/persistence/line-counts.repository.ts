import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { Prisma } from '../../generated/prisma/client';
import { INDICATORS, indicatorCondition, type Indicator } from '../domain/indicator';
import type { NetworkStatus } from '../domain/network-status';
import { lineConditionSql } from './line-condition.sql';

export interface LineCount {
  network: string;
  status: NetworkStatus;
  indicator: Indicator;
  lines: number;
}

/** Lines counted by network, status and indicator, for the gauges (lines/metrics). */
@Injectable()
export class LineCountsRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * One statement. Network, status and the last sighting are all the indicator needs, and
   * all three are in the (network, status, last_seen_at) index, so the whole table is
   * counted from that index alone (an index-only scan; see README, Operations). Deleted
   * users' lines are taken off again through the users' status index, as the console's
   * summary leaves them out: a join of every line to its user would cost four times more.
   */
  async count(now: Date, staleAfterDays: number): Promise<LineCount[]> {
    return this.database.run((db) => db.$queryRaw<LineCount[]>(lineCountsSql(now, staleAfterDays)));
  }
}

/** The statement itself, exported for the benchmark's EXPLAIN ANALYZE. */
export function lineCountsSql(now: Date, staleAfterDays: number): Prisma.Sql {
  const indicator = indicatorCase(now, staleAfterDays);
  return Prisma.sql`
    SELECT network, status::text AS status, indicator, sum(lines)::int AS lines FROM (
      SELECT l.network, l.status, ${indicator} AS indicator, count(*) AS lines
      FROM network_lines l GROUP BY 1, 2, 3
      UNION ALL
      SELECT l.network, l.status, ${indicator} AS indicator, -count(*) AS lines
      FROM users u JOIN network_lines l ON l.user_id = u.id
      WHERE u.status = 'DELETED'::"UserStatus" GROUP BY 1, 2, 3
    ) AS counted
    GROUP BY 1, 2, 3 HAVING sum(lines) <> 0`;
}

/**
 * The indicator rule (domain/indicator.ts) as one CASE. Each indicator's condition is
 * whole and excludes the others', so the order of the branches does not matter; NONE is
 * what is left.
 */
function indicatorCase(now: Date, staleAfterDays: number): Prisma.Sql {
  const branches = INDICATORS.filter((indicator) => indicator !== 'NONE').map(
    (indicator) =>
      Prisma.sql`WHEN ${lineConditionSql(indicatorCondition(indicator, now, staleAfterDays))} THEN ${indicator}`,
  );
  return Prisma.sql`(CASE ${Prisma.join(branches, ' ')} ELSE 'NONE' END)`;
}
