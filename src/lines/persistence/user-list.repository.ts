import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { acrossOrganizations, requireOrganizationId } from '../../database/data-scope';
import { Prisma } from '../../generated/prisma/client';
import { indicatorCondition, type Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { containsPattern } from '../domain/user-search';
import { sortParam, type CursorPosition, type UserSort } from '../domain/user-sort';
import { lineConditionSql } from './line-condition.sql';
import type { LineState } from '../domain/status-machine';
import type { UserWithLines } from './users.repository';

export interface UserListFilter {
  network?: Network;
  indicator?: Indicator;
  networkStatus?: NetworkStatus;
  /** Without one, deleted users are left out. */
  userStatus?: 'ACTIVE' | 'SUSPENDED' | 'DELETED' | 'LOCKED';
  /** What to find (see domain/user-search.ts), already normalised. */
  search?: string;
  sort: UserSort;
  after?: CursorPosition;
  limit: number;
  now: Date;
  staleAfterDays: number;
}

export interface UserListPage {
  users: UserWithLines[];
  /** Where the next page starts, if there is one. */
  next: CursorPosition | null;
  total: number;
  totalIsExact: boolean;
}

/** A user as an export reads it: the listed fields and each line's state. */
export interface ExportedUserRow {
  id: string;
  status: string;
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  registeredAt: Date;
  lines: LineState[];
}

/**
 * A user as exportPage reads it: one JSON array, its lines an array of arrays inside it,
 * in the order of the SELECT's json_build_array calls; times in milliseconds since 1970.
 */
type PackedUser = [
  id: string,
  status: string,
  firstName: string,
  lastName: string,
  username: string,
  mdn: string,
  email: string,
  registeredAt: number,
  lines:
    | [
        network: string,
        status: string,
        reason: string | null,
        statusChangedAt: number,
        lastSeenAt: number | null,
      ][]
    | null,
];

/** Up to this many matches are counted (when the planner expects no more); beyond it the total is its estimate. */
export const EXACT_TOTAL_UP_TO = 1000;

/** Each order's key as SQL over users `u`, as its index has it, and its cursor value's type. */
const SORT_KEYS = {
  id: { key: 'u.id', param: (value: Prisma.Sql) => value },
  lastName: { key: 'lower(u.last_name)', param: (value: Prisma.Sql) => Prisma.sql`${value}::text` },
  username: { key: 'lower(u.username)', param: (value: Prisma.Sql) => Prisma.sql`${value}::text` },
  registeredAt: {
    key: 'u.registered_at',
    param: (value: Prisma.Sql) => Prisma.sql`${value}::timestamptz`,
  },
  lastSeen: {
    key: `COALESCE(u.last_seen_at, '-infinity'::timestamptz)`,
    param: (value: Prisma.Sql) => Prisma.sql`COALESCE(${value}::timestamptz, '-infinity'::timestamptz)`,
  },
} as const;

interface PageRow {
  id: string;
  lower_last_name: string;
  lower_username: string;
  registered_at: Date;
  last_seen_at: Date | null;
}

/**
 * One page of an organisation's users: filtered, searched, sorted, with a total.
 *
 * Which ids make the page is asked as the system role, with the organisation named in the
 * statement on every table it reads; the users themselves are then read back as the
 * application role, so row-level security still guards every row returned. Why: under
 * row-level security the planner may use a condition in an index only when its functions
 * are leakproof, and neither LIKE (the trigram index) nor lower() (the name sorts) is.
 * As mdn_app, `q=user99999` over 1,000,000 users read the organisation's users one by one
 * instead of the trigram index, and a deep page of a name sort walked every row before it.
 */
@Injectable()
export class UserListRepository {
  /** EXACT_TOTAL_UP_TO; a test lowers it to reach the estimate without a thousand users. */
  exactTotalUpTo = EXACT_TOTAL_UP_TO;

  constructor(private readonly database: DatabaseService) {}

  async page(filter: UserListFilter): Promise<UserListPage> {
    const organizationId = requireOrganizationId();
    const { rows, total, totalIsExact } = await acrossOrganizations(
      'a list page names its organisation in every condition (row-level security would hide the indexes)',
      () => this.pageIds(organizationId, filter),
    );
    const ids = rows.slice(0, filter.limit).map((row) => row.id);
    const users = await this.database.run((db) =>
      db.user.findMany({
        where: { id: { in: ids }, organizationId },
        include: { lines: { orderBy: { network: 'asc' } } },
      }),
    );
    const byId = new Map(users.map((user) => [user.id, user]));
    const last = rows[filter.limit - 1];
    return {
      // A user the application role cannot see is not shown, whatever the ids said.
      users: ids.flatMap((id) => byId.get(id) ?? []),
      next: rows.length > filter.limit && last ? position(filter.sort, last) : null,
      total,
      totalIsExact,
    };
  }

  /**
   * A page of the users the list shows with these filters, from after the user `afterId`,
   * in id order (an export's: stable while users come and go, whatever the list's sort),
   * with only what an export writes: one statement, the lines as JSON beside each user,
   * no model objects, so 1,000,000 users read in pages of a few thousand. Read as the
   * application role: row-level security guards every row (a full walk needs no index).
   */
  async exportPage(
    filter: Omit<UserListFilter, 'sort' | 'after'>,
    afterId: string | undefined,
  ): Promise<ExportedUserRow[]> {
    const where = this.conditions(
      requireOrganizationId(),
      { ...filter, sort: { field: 'id', descending: false } },
      true,
    );
    if (afterId) where.push(Prisma.sql`u.id > ${afterId}::uuid`);
    // Each user is one text column, a JSON array, parsed here in one JSON.parse: as nine
    // typed columns, Prisma's conversion of each value was about a sixth of an export's CPU.
    // Times are milliseconds since 1970 (the columns hold milliseconds): a Date is made
    // from a number at a fraction of the cost of parsing it from text.
    const rows = await this.database.run(
      (db) => db.$queryRaw<{ user: string }[]>`
        SELECT json_build_array(u.id, u.status, u.first_name, u.last_name, u.username, u.mdn, u.email,
          floor(extract(epoch FROM u.registered_at) * 1000),
          (SELECT json_agg(json_build_array(l.network, l.status, l.reason,
              floor(extract(epoch FROM l.status_changed_at) * 1000), floor(extract(epoch FROM l.last_seen_at) * 1000))
             ORDER BY l.network)
           FROM network_lines l WHERE l.user_id = u.id))::text AS "user"
        FROM users u WHERE ${Prisma.join(where, ' AND ')}
        ORDER BY u.id LIMIT ${filter.limit}`,
    );
    return rows.map(({ user }) => {
      const [id, status, firstName, lastName, username, mdn, email, registeredAt, lines] = JSON.parse(
        user,
      ) as PackedUser;
      return {
        id,
        status,
        firstName,
        lastName,
        username,
        mdn,
        email,
        registeredAt: new Date(registeredAt),
        lines: (lines ?? []).map(([network, lineStatus, reason, statusChangedAt, lastSeenAt]) => ({
          network: network as LineState['network'],
          status: lineStatus as LineState['status'],
          reason,
          statusChangedAt: new Date(statusChangedAt),
          lastSeenAt: lastSeenAt === null ? null : new Date(lastSeenAt),
        })),
      };
    });
  }

  private pageIds(organizationId: string, filter: UserListFilter) {
    const where = this.conditions(organizationId, filter, true);
    const sort = SORT_KEYS[filter.sort.field];
    const direction = Prisma.raw(filter.sort.descending ? 'DESC' : 'ASC');
    const key = Prisma.raw(sort.key);
    const page = filter.after ? [...where, keysetAfter(filter.sort, filter.after)] : where;
    return this.database.run(async (db) => {
      const rows = await db.$queryRaw<PageRow[]>`
        SELECT u.id::text AS id, lower(u.last_name) AS lower_last_name, lower(u.username) AS lower_username,
               u.registered_at, u.last_seen_at
        FROM users u WHERE ${Prisma.join(page, ' AND ')}
        ORDER BY ${key} ${direction}, u.id ${direction} LIMIT ${filter.limit + 1}`;
      // A first page that holds every match has counted them already.
      if (!filter.after && rows.length <= filter.limit) {
        return { rows, total: rows.length, totalIsExact: true };
      }
      return { rows, ...(await this.total(db, where, this.conditions(organizationId, filter, false))) };
    });
  }

  /**
   * How many users match, at a bounded cost. First the planner's estimate; when it says
   * more than `exactTotalUpTo`, that is the answer ("about 12,400"). Otherwise they are
   * counted, up to one more than that. Counting first would cost most where it tells
   * least: a line filter that one user in ten passes probes ten users per match, and 1,001
   * matches of it took 300 ms at 1,000,000 users where its page took 28.
   */
  private async total(db: Prisma.TransactionClient, where: Prisma.Sql[], estimated: Prisma.Sql[]) {
    const estimate = await this.estimate(db, estimated);
    if (estimate > this.exactTotalUpTo) return { total: estimate, totalIsExact: false };
    const [{ counted }] = await db.$queryRaw<{ counted: number }[]>`
      SELECT count(*)::int AS counted FROM (
        SELECT 1 FROM users u WHERE ${Prisma.join(where, ' AND ')} LIMIT ${this.exactTotalUpTo + 1}) s`;
    if (counted <= this.exactTotalUpTo) return { total: counted, totalIsExact: true };
    return { total: Math.max(estimate, counted), totalIsExact: false };
  }

  /**
   * The planner's row estimate for the conditions. Its line filter is a plain EXISTS (a
   * semi-join the planner estimates from the lines' statistics), not the per-user probe
   * the page runs, whose selectivity the planner can only guess at one half.
   */
  private async estimate(db: Prisma.TransactionClient, where: Prisma.Sql[]): Promise<number> {
    const [row] = await db.$queryRaw<{ 'QUERY PLAN': unknown }[]>`
      EXPLAIN (FORMAT JSON) SELECT 1 FROM users u WHERE ${Prisma.join(where, ' AND ')}`;
    const plan = row['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as {
      Plan: { 'Plan Rows': number };
    }[];
    return Math.round(parsed[0].Plan['Plan Rows']);
  }

  /** `probePerUser`: the page's form of the line filter; false: the one the planner can estimate. */
  private conditions(organizationId: string, filter: UserListFilter, probePerUser: boolean): Prisma.Sql[] {
    const where = [Prisma.sql`u.organization_id = ${organizationId}::uuid`];
    // Compared as text, as the summary does (see UsersRepository.summary).
    where.push(
      filter.userStatus
        ? Prisma.sql`u.status::text = ${filter.userStatus}`
        : Prisma.sql`u.status::text <> 'DELETED'`,
    );
    if (filter.search) {
      where.push(
        Prisma.sql`user_search_text(u.first_name, u.last_name, u.username, u.email, u.mdn) LIKE ${containsPattern(filter.search)}`,
      );
    }
    const lines = lineFilter(filter);
    if (lines.length > 0) {
      // OFFSET 0 keeps the probe per user: the page walks the organisation's users in
      // the sort's order and stops at the limit (as a semi-join, the planner read all of
      // the organisation's lines first).
      where.push(
        Prisma.sql`EXISTS (SELECT 1 FROM network_lines l WHERE l.user_id = u.id
          AND l.organization_id = ${organizationId}::uuid AND ${Prisma.join(lines, ' AND ')}
          ${Prisma.raw(probePerUser ? 'OFFSET 0' : '')})`,
      );
    }
    return where;
  }
}

function lineFilter(filter: UserListFilter): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (filter.network) parts.push(Prisma.sql`l.network = ${filter.network}`);
  if (filter.networkStatus) parts.push(Prisma.sql`l.status = ${filter.networkStatus}::"NetworkStatus"`);
  if (filter.indicator) {
    parts.push(lineConditionSql(indicatorCondition(filter.indicator, filter.now, filter.staleAfterDays)));
  }
  return parts;
}

/** Rows after the cursor's, in the order's direction: one row comparison its index serves. */
function keysetAfter(sort: UserSort, after: CursorPosition): Prisma.Sql {
  const key = SORT_KEYS[sort.field];
  const op = Prisma.raw(sort.descending ? '<' : '>');
  if (sort.field === 'id') return Prisma.sql`u.id ${op} ${after.id}::uuid`;
  return Prisma.sql`(${Prisma.raw(key.key)}, u.id) ${op} (${key.param(Prisma.sql`${after.key}`)}, ${after.id}::uuid)`;
}

function position(sort: UserSort, row: PageRow): CursorPosition {
  const keys = {
    id: null,
    lastName: row.lower_last_name,
    username: row.lower_username,
    registeredAt: row.registered_at.toISOString(),
    lastSeen: row.last_seen_at?.toISOString() ?? null,
  };
  return { sort: sortParam(sort), key: keys[sort.field], id: row.id };
}
