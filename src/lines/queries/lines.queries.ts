import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import type { Network } from '../domain/networks';
import { presentLine, type LineView } from './line-view';
import type { LineRecord } from '../persistence/line-record';
import { LinesRepository } from '../persistence/lines.repository';
import {
  UsersRepository,
  type Summary,
  type UserFilter,
  type UserWithLines,
} from '../persistence/users.repository';
import { presentUser, type UserView } from './user-view';
import { presentExportedUser, type ExportedUser } from './exported-user';
import type { UserMatch } from './user-match';

/** What other modules see of a stored user, and how they name changes to one. */
export type { UserChanges, UserWithLines } from '../persistence/users.repository';

export interface HistoryEntry {
  from: string;
  to: string;
  reason: string | null;
  source: string;
  detail: string | null;
  occurredAt: string;
  recordedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the admin console reads; every view is computed at the clock's `now`. */
@Injectable()
export class LinesQueries {
  constructor(
    private readonly users: UsersRepository,
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

  async list(
    filter: Omit<UserFilter, 'after' | 'now' | 'staleAfterDays'> & { cursor?: string },
  ): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const page = await this.users.list({
      ...filter,
      after,
      now: this.clock.now(),
      staleAfterDays: this.config.staleAfterDays,
    });
    const last = page.users.at(-1);
    return {
      items: page.users.map((user) => this.present(user)),
      nextCursor: page.hasMore && last ? encodeCursor(last.id) : null,
    };
  }

  /**
   * A page of what `list` shows with the same filters, in its order, from after the user
   * `after` (an id), as an export writes it.
   */
  async exportPage(
    filter: Omit<UserFilter, 'after' | 'now' | 'staleAfterDays' | 'limit'>,
    after: string | undefined,
    limit: number,
  ): Promise<ExportedUser[]> {
    const now = this.clock.now();
    const rows = await this.users.exportPage({
      ...filter,
      after,
      limit,
      now,
      staleAfterDays: this.config.staleAfterDays,
    });
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
    }));
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

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id))
    throw new ValidationFailedError([{ field: 'cursor', reason: 'is not a cursor this API gave out' }]);
  return id;
}
