import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import type { Network } from '../domain/networks';
import { presentLine, type LineView } from './line-view';
import type { LineRecord } from '../persistence/line-record';
import { LinesRepository } from '../persistence/lines.repository';
import { UsersRepository, type Summary, type UserWithLines } from '../persistence/users.repository';
import { UserListRepository, type UserListFilter } from '../persistence/user-list.repository';
import { searchNeedle } from '../domain/user-search';
import { InvitesRepository } from '../persistence/invites.repository';
import { presentInvite, type InviteView } from './invite-view';
import { decodeCursor, encodeCursor, parseSort } from '../domain/user-sort';
import { presentUser, type UserView } from './user-view';
import { encodeCursor as encodeEventsCursor, headCursor } from '../../outbox/feed/events-cursor';
import { presentExportedUser, type ExportedUser } from './exported-user';
import type { UserMatch } from './user-match';

/** What other modules see of a stored user, and how they name changes to one. */
export type { UserChanges, UserWithLines } from '../persistence/users.repository';

export interface UserPage {
  items: UserView[];
  nextCursor: string | null;
  /** How many users match in all: exact when `totalIsExact`, else the database's estimate. */
  total: number;
  totalIsExact: boolean;
  /** `GET /v1/events?after=` this: every event settled before the page was read is in it. */
  eventsCursor: string;
}

/** One entry of a user's history: a line's status move, or an invite. */
export type UserHistoryEntry =
  | ({ kind: 'STATUS'; network: string; at: string } & HistoryEntry)
  | ({ kind: 'INVITE'; at: string; invite: string } & Omit<InviteView, 'kind'>);

export interface HistoryEntry {
  from: string;
  to: string;
  reason: string | null;
  source: string;
  detail: string | null;
  occurredAt: string;
  recordedAt: string;
  /** False for a move kept for the record but not applied (e.g. an out-of-order callback). */
  applied: boolean;
  /** Why it was not applied; null when it was. */
  unappliedReason: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the admin console reads; every view is computed at the clock's `now`. */
@Injectable()
export class LinesQueries {
  constructor(
    private readonly users: UsersRepository,
    private readonly userList: UserListRepository,
    private readonly invites: InvitesRepository,
    private readonly lines: LinesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  present(user: UserWithLines): UserView {
    return presentUser(user, this.clock.now(), this.config.staleAfterDays);
  }

  presentLine(line: LineRecord): LineView {
    return presentLine(line, this.clock.now(), this.config.staleAfterDays);
  }

  async user(id: string): Promise<UserView> {
    return this.present(await this.requireUser(id));
  }

  /**
   * A page of the organisation's users (deleted ones only when asked for by status),
   * searched, filtered and sorted, with the total: exact up to a thousand, else about.
   */
  async list(
    filter: Omit<UserListFilter, 'after' | 'now' | 'staleAfterDays' | 'sort' | 'search'> & {
      q?: string;
      sort?: string;
      cursor?: string;
    },
  ): Promise<UserPage> {
    const { q, cursor, ...rest } = filter;
    // Read before the page: every event before it is reflected in what the page shows.
    const settledBelow = await this.users.settledBelow();
    const sort = parseSort(filter.sort);
    let after;
    if (cursor) {
      const check = decodeCursor(cursor, sort);
      if (!check.ok) throw new ValidationFailedError([{ field: 'cursor', reason: check.reason }]);
      after = check.position;
    }
    const page = await this.userList.page({
      ...rest,
      search: q === undefined ? undefined : searchNeedle(q),
      sort,
      after,
      now: this.clock.now(),
      staleAfterDays: this.config.staleAfterDays,
    });
    return {
      items: page.users.map((user) => this.present(user)),
      nextCursor: page.next ? encodeCursor(page.next) : null,
      total: page.total,
      totalIsExact: page.totalIsExact,
      eventsCursor: encodeEventsCursor(headCursor(settledBelow)),
    };
  }

  /**
   * A page of what `list` shows with the same filters, in its order, from after the user
   * `after` (an id), as an export writes it.
   */
  async exportPage(
    filter: Omit<UserListFilter, 'after' | 'now' | 'staleAfterDays' | 'limit' | 'sort' | 'search'> & { q?: string },
    after: string | undefined,
    limit: number,
  ): Promise<ExportedUser[]> {
    const { q, ...rest } = filter;
    const now = this.clock.now();
    const rows = await this.userList.exportPage(
      {
        ...rest,
        search: q === undefined ? undefined : searchNeedle(q),
        limit,
        now,
        staleAfterDays: this.config.staleAfterDays,
      },
      after,
    );
    return rows.map((row) => presentExportedUser(row, now, this.config.staleAfterDays));
  }

  /** A page of live users matching `match`, with the total (the SCIM list). */
  findMatching(match: UserMatch | undefined, offset: number, limit: number) {
    return this.users.findMatching(match, offset, limit);
  }

  /** A live user as stored, or 404 (deleted users are gone for a directory). */
  async liveUser(id: string): Promise<UserWithLines> {
    const user = UUID.test(id) ? await this.users.findById(id) : null;
    if (!user || user.status === 'DELETED') throw new NotFoundError(`No user ${id}`);
    return user;
  }

  async lineViews(userId: string): Promise<LineView[]> {
    await this.requireUser(userId);
    const now = this.clock.now();
    return (await this.lines.listForUser(userId)).map((line) =>
      presentLine(line, now, this.config.staleAfterDays),
    );
  }

  async history(userId: string, network: Network, limit = 200): Promise<HistoryEntry[]> {
    const line = await this.lines.find(await this.requireUserId(userId), network);
    if (!line) throw new NotFoundError(`User ${userId} has no ${network} line`);
    return (await this.lines.history(line.id, limit)).map((row) => ({
      from: row.fromStatus,
      to: row.toStatus,
      reason: row.reason,
      source: row.source,
      detail: row.detail,
      occurredAt: row.occurredAt.toISOString(),
      recordedAt: row.recordedAt.toISOString(),
      applied: row.applied,
      unappliedReason: row.applied ? null : (row.unappliedReason ?? 'not applied'),
    }));
  }

  /**
   * The user's history, newest first: every line's status moves (with the network) and
   * the invites texted to the user, which belong to the user rather than to a line.
   */
  async userHistory(userId: string, limit = 200): Promise<UserHistoryEntry[]> {
    const user = await this.requireUser(userId);
    const moves = await Promise.all(
      user.lines.map(async (line) =>
        (await this.history(user.id, line.network as Network, limit)).map((entry): UserHistoryEntry => ({
          kind: 'STATUS',
          network: line.network,
          at: entry.occurredAt,
          ...entry,
        })),
      ),
    );
    const invites = (await this.invites.forUser(user.id, limit)).map((stored): UserHistoryEntry => {
      const { kind, ...invite } = presentInvite(stored);
      return { ...invite, kind: 'INVITE', at: invite.requestedAt, invite: kind };
    });
    return [...moves.flat(), ...invites].sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
  }

  summary(): Promise<Summary> {
    return this.users.summary(this.clock.now(), this.config.staleAfterDays);
  }

  /** The user, if it exists and is not deleted: a deleted user takes no more actions (409). */
  async requireLiveUser(id: string): Promise<void> {
    const user = await this.requireUser(id);
    if (user.status === 'DELETED') {
      throw new ConflictError('A deleted user cannot be changed (rule: deleted_is_final)', {
        rule: 'deleted_is_final',
      });
    }
  }

  private async requireUser(id: string): Promise<UserWithLines> {
    const user = UUID.test(id) ? await this.users.findById(id) : null;
    if (!user) throw new NotFoundError(`No user ${id}`);
    return user;
  }

  private async requireUserId(id: string): Promise<string> {
    return (await this.requireUser(id)).id;
  }
}
