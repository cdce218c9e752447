import { Prisma } from '../../generated/prisma/client';
import type { LineCondition } from '../domain/indicator';

/**
 * Turns a domain LineCondition into SQL over `network_lines` aliased as `alias`. The rule
 * itself lives in domain/indicator.ts; this only spells it in SQL.
 */
export function lineConditionSql(condition: LineCondition, alias = 'l'): Prisma.Sql {
  const column = (name: string) => Prisma.raw(`${alias}.${name}`);
  if ('all' in condition)
    return group(
      condition.all.map((part) => lineConditionSql(part, alias)),
      ' AND ',
    );
  if ('any' in condition)
    return group(
      condition.any.map((part) => lineConditionSql(part, alias)),
      ' OR ',
    );
  if ('not' in condition) return Prisma.sql`NOT ${lineConditionSql(condition.not, alias)}`;
  if ('networkIn' in condition) {
    return condition.networkIn.length === 0
      ? Prisma.sql`FALSE`
      : Prisma.sql`${column('network')} IN (${Prisma.join([...condition.networkIn])})`;
  }
  if ('statusIs' in condition) {
    return Prisma.sql`${column('status')} = ${condition.statusIs}::"NetworkStatus"`;
  }
  // A line never seen is not stale: NULL must read as false here, not unknown.
  return Prisma.sql`COALESCE(${column('last_seen_at')} < ${condition.seenBefore}, FALSE)`;
}

function group(parts: Prisma.Sql[], separator: string): Prisma.Sql {
  return Prisma.sql`(${Prisma.join(parts, separator)})`;
}
