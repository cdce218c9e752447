import { Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/errors/domain-error';
import { DatabaseService } from '../../database/database.service';
import { Prisma, type NetworkLine, type User, type UserStatus } from '../../generated/prisma/client';
import { INDICATORS, indicatorCondition, type Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { NetworkStatus } from '../domain/network-status';
import { userEvent } from '../events/line-events';
import { appendToOutbox } from '../../outbox/outbox.writer';
import { storedTraceparent } from '../../tracing/current-trace';
import { lineConditionSql } from './line-condition.sql';
import { LinesRepository, type StoredTransition } from './lines.repository';
import { uniqueViolationField } from './prisma-errors';

export type UserWithLines = User & { lines: NetworkLine[] };

export interface NewUser {
  firstName: string;
  lastName: string;
  username: string;
  mdn: string;
  email: string;
  businessPhone?: string | null;
  company?: string | null;
  customerCode?: string | null;
  udid?: string | null;
}

export interface NewUserOnNetworks extends NewUser {
  networks: Network[];
}

export type UserChanges = Partial<Omit<NewUser, 'username'>> & { status?: UserStatus };

export interface UserFilter {
  network?: Network;
  indicator?: Indicator;
  networkStatus?: NetworkStatus;
  userStatus?: UserStatus;
  search?: string;
  after?: string;
  limit: number;
  now: Date;
  staleAfterDays: number;
}

export type Summary = Record<string, Record<Indicator, number>>;

/** The API field behind each unique constraint, by column or index name. */
const FIELD_NAMES: Record<string, string> = {
  username: 'username',
  users_username_key: 'username',
  mdn: 'mdn',
  users_mdn_key: 'mdn',
  customer_code: 'customerCode',
  users_customer_code_key: 'customerCode',
};

/** What a registration asks for besides the user: provisioning, and its Idempotency-Key. */
export interface RegistrationIntent {
  provision: boolean;
  idempotencyKey?: string;
  /** A user registered with the same key before this is no longer its answer: the key is free again. */
  keyKeptSince?: Date;
}

const CLEARED_IN_FLIGHT = { inflightKind: null, inflightPhase: null, inflightKey: null, inflightSince: null };

/**
 * A new line; asked to be provisioned, it is due for the reconciler at once, in the trace
 * of the request that asked.
 */
function newLine(network: Network, now: Date, provision: boolean) {
  return provision
    ? {
        network,
        statusChangedAt: now,
        desired: 'PROVISIONED' as const,
        desiredAt: now,
        round: 1,
        reconcileAt: now,
        traceParent: storedTraceparent(),
      }
    : { network, statusChangedAt: now };
}

/** Without a network, the intent is a lookup of it (due at once, in the asking request's trace). */
function lookupIntent(networks: Network[], now: Date, provision: boolean) {
  return provision && networks.length === 0
    ? { lookupDueAt: now, lookupTraceParent: storedTraceparent() }
    : { lookupDueAt: null };
}

/**
 * An import's Idempotency-Key on each user it made (the column is unique): the key and
 * the user's place in the file, so a retry finds them all, in order.
 */
function importKey(key: string, row: string): string {
  return `${key}#${row}`;
}

@Injectable()
export class UsersRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly lines: LinesRepository,
  ) {}

  /**
   * Registers a user with its lines, and with them the intent to provision (when asked):
   * in the same transaction, so a registration never commits without the work it asks
   * for. Without a network, the intent is a lookup of the user's network.
   */
  async create(
    user: NewUser,
    networks: Network[],
    now: Date,
    intent: RegistrationIntent,
  ): Promise<UserWithLines> {
    return this.withConflicts(() =>
      this.database.prisma.$transaction(async (tx) => {
        if (intent.idempotencyKey && intent.keyKeptSince) {
          await tx.user.updateMany({
            where: { idempotencyKey: intent.idempotencyKey, registeredAt: { lt: intent.keyKeptSince } },
            data: { idempotencyKey: null },
          });
        }
        const created = await tx.user.create({
          data: {
            ...user,
            registeredAt: now,
            idempotencyKey: intent.idempotencyKey,
            ...lookupIntent(networks, now, intent.provision),
            lines: { create: networks.map((network) => newLine(network, now, intent.provision)) },
          },
          include: { lines: true },
        });
        await appendToOutbox(tx, [userEvent('registered', created, now)]);
        return created;
      }),
    );
  }

  /**
   * Registers many users in one transaction: all of them or, on any conflict, none. Three
   * statements whatever the number (users, lines, events).
   */
  async createMany(
    users: NewUserOnNetworks[],
    now: Date,
    intent: RegistrationIntent,
  ): Promise<UserWithLines[]> {
    const key = intent.idempotencyKey;
    const ids = await this.withConflicts(() =>
      this.database.prisma.$transaction(
        async (tx) => {
          if (key && intent.keyKeptSince) {
            await tx.user.updateMany({
              where: {
                idempotencyKey: { startsWith: importKey(key, '') },
                registeredAt: { lt: intent.keyKeptSince },
              },
              data: { idempotencyKey: null },
            });
          }
          const created = await tx.user.createManyAndReturn({
            data: users.map(({ networks, ...user }, index) => ({
              ...user,
              registeredAt: now,
              idempotencyKey: key ? importKey(key, String(index)) : undefined,
              ...lookupIntent(networks, now, intent.provision),
            })),
          });
          const idOf = new Map(created.map((user) => [user.username, user.id]));
          await tx.networkLine.createMany({
            data: users.flatMap((user) =>
              user.networks.map((network) => ({
                userId: idOf.get(user.username)!,
                ...newLine(network, now, intent.provision),
              })),
            ),
          });
          await appendToOutbox(
            tx,
            created.map((user) => userEvent('registered', user, now)),
          );
          return users.map((user) => idOf.get(user.username)!);
        },
        { timeout: 60_000 },
      ),
    );
    const stored = await this.database.prisma.user.findMany({
      where: { id: { in: ids } },
      include: { lines: { orderBy: { network: 'asc' } } },
    });
    const byId = new Map(stored.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id)!);
  }

  /** Which of these usernames, MDNs and customer codes stored users already have. */
  async takenIdentifiers(wanted: {
    usernames: string[];
    mdns: string[];
    customerCodes: string[];
  }): Promise<{ usernames: Set<string>; mdns: Set<string>; customerCodes: Set<string> }> {
    const rows = await this.database.prisma.user.findMany({
      where: {
        OR: [
          { username: { in: wanted.usernames } },
          { mdn: { in: wanted.mdns } },
          { customerCode: { in: wanted.customerCodes } },
        ],
      },
      select: { username: true, mdn: true, customerCode: true },
    });
    const pick = (values: (string | null)[], among: string[]) => {
      const wantedSet = new Set(among);
      return new Set(values.filter((value): value is string => value !== null && wantedSet.has(value)));
    };
    return {
      usernames: pick(
        rows.map((row) => row.username),
        wanted.usernames,
      ),
      mdns: pick(
        rows.map((row) => row.mdn),
        wanted.mdns,
      ),
      customerCodes: pick(
        rows.map((row) => row.customerCode),
        wanted.customerCodes,
      ),
    };
  }

  findById(id: string): Promise<UserWithLines | null> {
    return this.database.prisma.user.findUnique({
      where: { id },
      include: { lines: { orderBy: { network: 'asc' } } },
    });
  }

  /** The users an import with this key made since `since`, in the file's order (none: not imported). */
  async findImported(key: string, since: Date): Promise<UserWithLines[]> {
    const users = await this.database.prisma.user.findMany({
      where: { idempotencyKey: { startsWith: importKey(key, '') }, registeredAt: { gte: since } },
      include: { lines: { orderBy: { network: 'asc' } } },
    });
    const rowOf = (user: User) => Number(user.idempotencyKey!.slice(importKey(key, '').length));
    return users.sort((a, b) => rowOf(a) - rowOf(b));
  }

  /** The user a registration with this key made, if it was made since `since` (older keys have expired). */
  findByIdempotencyKey(key: string, since: Date): Promise<UserWithLines | null> {
    return this.database.prisma.user.findFirst({
      where: { idempotencyKey: key, registeredAt: { gte: since } },
      include: { lines: { orderBy: { network: 'asc' } } },
    });
  }

  /**
   * Deletes a user in one transaction: every line disabled (with its history and event,
   * its intent now Disabled and nothing left in flight), the user Deleted, UserDeleted.
   */
  delete(id: string, moves: StoredTransition[], now: Date): Promise<UserWithLines> {
    return this.database.prisma.$transaction(async (tx) => {
      for (const move of moves) await this.lines.applyTransitionIn(tx, move);
      await tx.networkLine.updateMany({
        where: { userId: id },
        data: { desired: 'DISABLED', reconcileAt: null, settledAt: now, ...CLEARED_IN_FLIGHT },
      });
      const deleted = await tx.user.update({
        where: { id },
        data: { status: 'DELETED', lookupDueAt: null },
        include: { lines: { orderBy: { network: 'asc' } } },
      });
      await appendToOutbox(tx, [userEvent('deleted', deleted, now)]);
      return deleted;
    });
  }

  /** Changes a user and writes UserUpdated (UserDeleted when the status becomes DELETED). */
  update(id: string, changes: UserChanges, now: Date): Promise<UserWithLines> {
    return this.withConflicts(() =>
      this.database.prisma.$transaction(async (tx) => {
        const updated = await tx.user.update({
          where: { id },
          data: changes,
          include: { lines: { orderBy: { network: 'asc' } } },
        });
        await appendToOutbox(tx, [
          userEvent(changes.status === 'DELETED' ? 'deleted' : 'updated', updated, now),
        ]);
        return updated;
      }),
    );
  }

  /**
   * One page of users in id order (ids are time-ordered UUIDv7, so this is registration
   * order and stable under inserts). Line filters select users having at least one line
   * that matches all of them.
   */
  async list(filter: UserFilter): Promise<{ users: UserWithLines[]; hasMore: boolean }> {
    const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (filter.after) where.push(Prisma.sql`u.id > ${filter.after}::uuid`);
    if (filter.userStatus) where.push(Prisma.sql`u.status = ${filter.userStatus}::"UserStatus"`);
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        Prisma.sql`(u.first_name ILIKE ${pattern} OR u.last_name ILIKE ${pattern} OR u.username ILIKE ${pattern}
          OR u.mdn ILIKE ${pattern} OR u.email ILIKE ${pattern})`,
      );
    }
    const lineWhere = this.lineFilter(filter);
    if (lineWhere.length > 0) {
      where.push(
        Prisma.sql`EXISTS (SELECT 1 FROM network_lines l WHERE l.user_id = u.id AND ${Prisma.join(lineWhere, ' AND ')})`,
      );
    }
    const rows = await this.database.prisma.$queryRaw<{ id: string }[]>`
      SELECT u.id::text AS id FROM users u WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY u.id LIMIT ${filter.limit + 1}`;
    const ids = rows.slice(0, filter.limit).map((row) => row.id);
    const users = await this.database.prisma.user.findMany({
      where: { id: { in: ids } },
      include: { lines: { orderBy: { network: 'asc' } } },
      orderBy: { id: 'asc' },
    });
    return { users, hasMore: rows.length > filter.limit };
  }

  /** Users per network and indicator, leaving out deleted users. */
  async summary(now: Date, staleAfterDays: number): Promise<Summary> {
    const counts = INDICATORS.map(
      (indicator) =>
        Prisma.sql`count(*) FILTER (WHERE ${lineConditionSql(indicatorCondition(indicator, now, staleAfterDays))})::int AS ${Prisma.raw(`"${indicator}"`)}`,
    );
    const rows = await this.database.prisma.$queryRaw<({ network: string } & Record<Indicator, number>)[]>`
      SELECT l.network, ${Prisma.join(counts, ', ')}
      FROM network_lines l JOIN users u ON u.id = l.user_id
      WHERE u.status <> 'DELETED'::"UserStatus"
      GROUP BY l.network ORDER BY l.network`;
    return Object.fromEntries(
      rows.map(({ network, ...byIndicator }) => [network, byIndicator as Record<Indicator, number>]),
    );
  }

  private lineFilter(filter: UserFilter): Prisma.Sql[] {
    const parts: Prisma.Sql[] = [];
    if (filter.network) parts.push(Prisma.sql`l.network = ${filter.network}`);
    if (filter.networkStatus) parts.push(Prisma.sql`l.status = ${filter.networkStatus}::"NetworkStatus"`);
    if (filter.indicator) {
      parts.push(lineConditionSql(indicatorCondition(filter.indicator, filter.now, filter.staleAfterDays)));
    }
    return parts;
  }

  private async withConflicts<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const field = uniqueViolationField(error);
      if (!field) throw error;
      const name = FIELD_NAMES[field] ?? field;
      throw new ConflictError(`A user with this ${name} already exists`, [
        { field: name, reason: 'already taken' },
      ]);
    }
  }
}
