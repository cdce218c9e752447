import { Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/errors/domain-error';
import { DatabaseService } from '../../database/database.service';
import { Prisma, type NetworkLine, type User, type UserStatus } from '../../generated/prisma/client';
import { INDICATORS, indicatorCondition, type Indicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import type { TransitionSource } from '../domain/network-status';
import { userEvent, type UserSnapshot } from '../events/line-events';
import type { RequestIdempotency } from '../../idempotency/request-idempotency';
import { appendBulkToOutbox } from '../../outbox/outbox.writer';
import { nextUserEvents } from './event-sequences';
import { appendNewLineEvents } from '../events/new-line-events';
import { appendUsersLineStates } from './line-states';
import { SNAPSHOT_XMIN_SQL } from '../../outbox/feed/events-cursor';
import { importKey, lookupIntent, newLine, registerBatch } from './bulk-registration';
import { acrossOrganizations, organizationFilter, requireOrganizationId } from '../../database/data-scope';
import { lineConditionSql } from './line-condition.sql';
import { LinesRepository, type StoredTransition } from './lines.repository';
import { uniqueViolationNames } from './prisma-errors';
import { InvitesRepository } from './invites.repository';
import type { UserMatch } from '../queries/user-match';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A match as SQL over users `u`; username and email folded, as the live-username index is. */
function matchSql(match: UserMatch): Prisma.Sql {
  if (match.kind !== 'eq') {
    return Prisma.sql`(${Prisma.join(match.of.map(matchSql), match.kind === 'and' ? ' AND ' : ' OR ')})`;
  }
  switch (match.field) {
    case 'id':
      return UUID.test(match.value) ? Prisma.sql`u.id = ${match.value}::uuid` : Prisma.sql`FALSE`;
    case 'username':
      return Prisma.sql`lower(u.username) = lower(${match.value})`;
    case 'email':
      return Prisma.sql`lower(u.email) = lower(${match.value})`;
    case 'externalId':
      return Prisma.sql`u.external_id = ${match.value}`;
  }
}

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
  /** The directory's id for the user, when a directory (SCIM) registered it. */
  externalId?: string | null;
  serviceLevel?: string | null;
  messagingAppVersion?: string | null;
}

export interface NewUserOnNetworks extends NewUser {
  networks: Network[];
}

/** The admin API does not rename users; a directory (SCIM) may. */
export type UserChanges = Partial<NewUser> & { status?: UserStatus };

export type Summary = Record<string, Record<Indicator, number>>;

/** The API field behind each unique constraint, by index name or column (see uniqueViolationNames). */
const FIELD_NAMES: Record<string, string> = {
  users_live_username_key: 'username',
  'lower(username': 'username',
  users_live_mdn_key: 'mdn',
  mdn: 'mdn',
  users_live_customer_code_key: 'customerCode',
  customer_code: 'customerCode',
  users_live_external_id_key: 'externalId',
  external_id: 'externalId',
};

/** What a registration asks for besides the user: provisioning, and its Idempotency-Key. */
export interface RegistrationIntent {
  provision: boolean;
  idempotency?: RequestIdempotency;
  /** A user registered with the same key before this is no longer its answer: the key is free again. */
  keyKeptSince?: Date;
  /** Who registers: the admin API unless a directory (SCIM) does. */
  source?: TransitionSource;
  /** Text the user their login details (sendLoginSms): the invite is recorded with the user. */
  loginSms?: (user: { username: string }) => string;
}

const CLEARED_IN_FLIGHT = { inflightKind: null, inflightPhase: null, inflightKey: null, inflightSince: null };

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
    const organizationId = requireOrganizationId();
    return this.withConflicts(() =>
      this.database.transaction(async (tx) => {
        if (intent.idempotency && intent.keyKeptSince) {
          await tx.user.updateMany({
            where: {
              organizationId,
              idempotencyKey: intent.idempotency.key,
              registeredAt: { lt: intent.keyKeptSince },
            },
            data: { idempotencyKey: null, idempotencyFingerprint: null },
          });
        }
        const created = await tx.user.create({
          data: {
            ...user,
            organizationId,
            registeredAt: now,
            idempotencyKey: intent.idempotency?.key,
            idempotencyFingerprint: intent.idempotency?.fingerprint,
            ...lookupIntent(networks, now, intent.provision),
            lines: { create: networks.map((network) => newLine(network, now, intent.provision)) },
          },
          include: { lines: true },
        });
        await appendUserEvents(tx, 'registered', [created], now, intent.source);
        await appendNewLineEvents(tx, [created.id], now, intent.source ?? 'API');
        if (intent.loginSms) {
          await InvitesRepository.recordIn(tx, {
            userId: created.id,
            organizationId,
            kind: 'LOGIN_DETAILS',
            mdn: created.mdn,
            text: intent.loginSms(created),
            requestedAt: now,
          });
        }
        return created;
      }),
    );
  }

  /**
   * Registers many users in one transaction: all of them or, on any conflict, none.
   * `fill` hands them over in batches through `register` (a file of 100,000 users is
   * never held, nor sent as one statement of millions of parameters), and says at the
   * end whether to commit: its outcome is returned either way. The users' import keys
   * are the idempotency key and each user's place in the order registered (importKey).
   */
  async createInBatches<T extends { commit: boolean }>(
    intent: { provision: boolean; idempotencyKey?: string; keyKeptSince?: Date },
    now: Date,
    fill: (register: (users: NewUserOnNetworks[]) => Promise<void>) => Promise<T>,
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    const organizationId = requireOrganizationId();
    const key = intent.idempotencyKey;
    try {
      return await this.withConflicts(() =>
        this.database.transaction(
          async (tx) => {
            if (key && intent.keyKeptSince) {
              await tx.user.updateMany({
                where: {
                  organizationId,
                  idempotencyKey: { startsWith: importKey(key, '') },
                  registeredAt: { lt: intent.keyKeptSince },
                },
                data: { idempotencyKey: null },
              });
            }
            let offset = 0;
            const outcome = await fill(async (users) => {
              await registerBatch(tx, {
                users,
                offset,
                organizationId,
                idempotencyKey: key,
                now,
                provision: intent.provision,
              });
              offset += users.length;
            });
            if (!outcome.commit) throw new RolledBack(outcome);
            return outcome;
          },
          { timeout: options.timeoutMs ?? 60_000 },
        ),
      );
    } catch (error) {
      if (error instanceof RolledBack) return error.outcome as T;
      throw error;
    }
  }

  /** How many users an import with this key registered since `since` (0: it did not commit). */
  async countImported(key: string, since: Date): Promise<number> {
    return this.database.run((db) =>
      db.user.count({
        where: {
          organizationId: requireOrganizationId(),
          idempotencyKey: { startsWith: importKey(key, '') },
          registeredAt: { gte: since },
        },
      }),
    );
  }

  /**
   * Which of these usernames (case-folded), MDNs and customer codes live users already
   * have: usernames and codes in this organisation, numbers in any (a number is captured
   * for one organisation at a time). Only the taken values come back, nothing of whose.
   */
  async takenIdentifiers(wanted: {
    usernames: string[];
    mdns: string[];
    customerCodes: string[];
  }): Promise<{ usernames: Set<string>; mdns: Set<string>; customerCodes: Set<string> }> {
    const organizationId = requireOrganizationId();
    const folded = wanted.usernames.map((username) => username.toLowerCase());
    const own = await this.database.run(
      (db) => db.$queryRaw<{ username: string; customerCode: string | null }[]>`
        SELECT lower(username) AS username, customer_code AS "customerCode" FROM users
        WHERE organization_id = ${organizationId}::uuid AND status <> 'DELETED'::"UserStatus"
          AND (lower(username) = ANY(${folded}::text[]) OR customer_code = ANY(${wanted.customerCodes}::text[]))`,
    );
    const wantedCodes = new Set(wanted.customerCodes);
    const wantedNames = new Set(folded);
    return {
      usernames: new Set(own.map((row) => row.username).filter((name) => wantedNames.has(name))),
      mdns: await this.liveMdns(wanted.mdns),
      customerCodes: new Set(
        own.flatMap((row) =>
          row.customerCode !== null && wantedCodes.has(row.customerCode) ? [row.customerCode] : [],
        ),
      ),
    };
  }

  /** Which of these numbers a live user of any organisation holds: the one question asked across them. */
  private liveMdns(mdns: string[]): Promise<Set<string>> {
    return acrossOrganizations('an MDN belongs to one live user across organizations', async () => {
      const rows = await this.database.run((db) =>
        db.user.findMany({
          where: { mdn: { in: mdns }, status: { not: 'DELETED' } },
          select: { mdn: true },
        }),
      );
      return new Set(rows.map((row) => row.mdn));
    });
  }

  /** The oldest transaction still running (the events feed's head, see headCursor). */
  async settledBelow(): Promise<bigint> {
    const [row] = await this.database.run((db) =>
      db.$queryRawUnsafe<{ xmin: bigint }[]>(`SELECT ${SNAPSHOT_XMIN_SQL} AS xmin`),
    );
    return BigInt(row.xmin);
  }

  findById(id: string): Promise<UserWithLines | null> {
    return this.database.run((db) =>
      db.user.findUnique({
        where: { id, ...organizationFilter() },
        include: { lines: { orderBy: { network: 'asc' } } },
      }),
    );
  }

  /** The user a registration with this key made, if it was made since `since` (older keys have expired). */
  findByIdempotencyKey(key: string, since: Date): Promise<UserWithLines | null> {
    return this.database.run((db) =>
      db.user.findFirst({
        where: { ...organizationFilter(), idempotencyKey: key, registeredAt: { gte: since } },
        include: { lines: { orderBy: { network: 'asc' } } },
      }),
    );
  }

  /**
   * Deletes a user in one transaction: every line disabled (with its history and event,
   * its intent now Disabled and nothing left in flight), the user Deleted, UserDeleted.
   * Field changes sent with the deletion (a PATCH to DELETED) are made in the same
   * transaction, with their UserUpdated: the request happens whole or not at all.
   */
  delete(
    id: string,
    moves: StoredTransition[],
    now: Date,
    changes: UserChanges = {},
    source: TransitionSource = 'API',
  ): Promise<UserWithLines> {
    return this.withConflicts(() => this.deleteInTransaction(id, moves, now, changes, source));
  }

  private deleteInTransaction(
    id: string,
    moves: StoredTransition[],
    now: Date,
    changes: UserChanges,
    source: TransitionSource,
  ) {
    return this.database.transaction(async (tx) => {
      if (Object.keys(changes).length > 0) {
        const updated = await tx.user.update({ where: { id }, data: changes, include: { lines: true } });
        await appendUserEvents(tx, 'updated', [updated], now, source);
      }
      await this.disableLinesIn(tx, id, moves, now);
      const deleted = await tx.user.update({
        where: { id },
        data: { status: 'DELETED', lookupDueAt: null },
        include: { lines: { orderBy: { network: 'asc' } } },
      });
      await appendUserEvents(tx, 'deleted', [deleted], now, source);
      return deleted;
    });
  }

  /**
   * Changes a user and stops capture of its lines in one transaction: each move (to
   * Disabled, with its history and event), every intent now Disabled, nothing in flight,
   * no lookup due; then UserUpdated. A suspension and a number change both start so.
   */
  stopLines(
    id: string,
    moves: StoredTransition[],
    now: Date,
    changes: UserChanges,
    source: TransitionSource,
    lookUpAgain = false,
  ): Promise<UserWithLines> {
    return this.withConflicts(() =>
      this.database.transaction(async (tx) => {
        await this.disableLinesIn(tx, id, moves, now);
        const updated = await tx.user.update({
          where: { id },
          data: { ...changes, lookupDueAt: lookUpAgain ? now : null },
          include: { lines: { orderBy: { network: 'asc' } } },
        });
        await appendUserEvents(tx, 'updated', [updated], now, source);
        return updated;
      }),
    );
  }

  private async disableLinesIn(
    tx: Prisma.TransactionClient,
    id: string,
    moves: StoredTransition[],
    now: Date,
  ) {
    for (const move of moves) await this.lines.applyTransitionIn(tx, move);
    await tx.networkLine.updateMany({
      where: { userId: id },
      data: { desired: 'DISABLED', reconcileAt: null, settledAt: now, ...CLEARED_IN_FLIGHT },
    });
  }

  /** Changes a user and writes UserUpdated (UserDeleted when the status becomes DELETED). */
  update(
    id: string,
    changes: UserChanges,
    now: Date,
    source: TransitionSource = 'API',
  ): Promise<UserWithLines> {
    return this.withConflicts(() =>
      this.database.transaction(async (tx) => {
        const updated = await tx.user.update({
          where: { id },
          data: changes,
          include: { lines: { orderBy: { network: 'asc' } } },
        });
        await appendUserEvents(
          tx,
          changes.status === 'DELETED' ? 'deleted' : 'updated',
          [updated],
          now,
          source,
        );
        return updated;
      }),
    );
  }

  /**
   * One page of the organisation's live users matching `match` (all of them without one),
   * in id order from `offset`, with how many match in all: SCIM pages by index, not cursor.
   */
  async findMatching(
    match: UserMatch | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; users: UserWithLines[] }> {
    const where = [
      Prisma.sql`u.organization_id = ${requireOrganizationId()}::uuid`,
      Prisma.sql`u.status::text <> 'DELETED'`,
      ...(match ? [matchSql(match)] : []),
    ];
    const condition = Prisma.join(where, ' AND ');
    return this.database.transaction(async (db) => {
      const rows = await db.$queryRaw<{ id: string }[]>`
        SELECT u.id::text AS id FROM users u WHERE ${condition} ORDER BY u.id OFFSET ${offset} LIMIT ${limit}`;
      // A first page that is not full holds every match (a directory's lookup by userName):
      // no count needed. Otherwise count them.
      const total =
        offset === 0 && rows.length < limit
          ? rows.length
          : (
              await db.$queryRaw<{ total: number }[]>`
                SELECT count(*)::int AS total FROM users u WHERE ${condition}`
            )[0].total;
      const users = await db.user.findMany({
        where: { id: { in: rows.map((row) => row.id) } },
        include: { lines: { orderBy: { network: 'asc' } } },
        orderBy: { id: 'asc' },
      });
      return { total, users };
    });
  }

  /** The organisation's users per network and indicator, leaving out deleted users. */
  async summary(now: Date, staleAfterDays: number): Promise<Summary> {
    const organizationId = requireOrganizationId();
    const counts = INDICATORS.map(
      (indicator) =>
        Prisma.sql`count(*) FILTER (WHERE ${lineConditionSql(indicatorCondition(indicator, now, staleAfterDays))})::int AS ${Prisma.raw(`"${indicator}"`)}`,
    );
    const rows = await this.database.run(
      (db) => db.$queryRaw<({ network: string } & Record<Indicator, number>)[]>`
      SELECT l.network, ${Prisma.join(counts, ', ')}
      FROM network_lines l JOIN users u ON u.id = l.user_id
      -- Both sides filtered by organisation, so either can lead. The status compares as
      -- text: under row-level security the planner uses column statistics only through
      -- leakproof operators, and text's are while the enum's are not (estimated 1 row of
      -- 1,000,000, it chose a 6 s nested loop).
      WHERE l.organization_id = ${organizationId}::uuid AND u.organization_id = ${organizationId}::uuid
        AND u.status::text <> 'DELETED'
      GROUP BY l.network ORDER BY l.network`,
    );
    return Object.fromEntries(
      rows.map(({ network, ...byIndicator }) => [network, byIndicator as Record<Indicator, number>]),
    );
  }

  private async withConflicts<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const names = uniqueViolationNames(error);
      if (!names) throw error;
      // Nothing about whose the value is: a number held in another organisation says only "taken".
      const name = names.map((candidate) => FIELD_NAMES[candidate]).find(Boolean) ?? 'identifier';
      throw new ConflictError(`A user with this ${name} already exists`, [
        { field: name, reason: 'already taken' },
      ]);
    }
  }
}

/**
 * Users' events with each user's next event sequence, in the caller's transaction (the
 * users are as stored after the change).
 */
async function appendUserEvents(
  tx: Prisma.TransactionClient,
  kind: 'registered' | 'updated' | 'deleted',
  users: UserSnapshot[],
  now: Date,
  source?: TransitionSource,
): Promise<void> {
  const sequences = await nextUserEvents(
    tx,
    users.map((user) => user.id),
  );
  // The rows the caller returns show the sequence just taken.
  for (const user of users) user.eventSequence = sequences.get(user.id)!;
  await appendBulkToOutbox(
    tx,
    users.map((user) => userEvent(kind, user, now, source)),
  );
  await appendUsersLineStates(
    tx,
    users.map((user) => user.id),
    now,
  );
}

/** How createInBatches rolls back a transaction whose filler chose not to commit. */
class RolledBack extends Error {
  constructor(readonly outcome: unknown) {
    super('rolled back by its filler');
  }
}
