import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { retryOnStaleWrite } from '../../common/retry-on-stale-write';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import type { TransitionSource } from '../domain/network-status';
import { planTransition } from '../domain/status-machine';
import { toLineRecord } from '../persistence/line-record';
import { UsersRepository, type UserChanges, type UserWithLines } from '../persistence/users.repository';
import { normalizedChanges } from './update-user.usecase';

export interface StopUserLinesCommand {
  /** Why capture stops, as the lines' reason: "suspended by the directory", "number changed". */
  reason: string;
  source: TransitionSource;
  /** Made in the same transaction: a suspension's status, a number change's new MDN. */
  changes: UserChanges;
  /**
   * Queue the number lookup in the same transaction (a new number may be on another
   * carrier): the reconciler then provisions the network it finds, through any crash.
   */
  lookUpAgain?: boolean;
}

/**
 * Stops capture for a user that stays on the books (a suspension, a number change):
 * every line not Disabled moves to Disabled with the reason, its intent becomes Disabled
 * and nothing stays in flight, with the user's changes, in one transaction.
 */
@Injectable()
export class StopUserLines {
  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  execute(
    id: string,
    { reason, source, changes, lookUpAgain = false }: StopUserLinesCommand,
  ): Promise<UserWithLines> {
    const normalized = normalizedChanges(changes);
    return retryOnStaleWrite(async () => {
      const user = await this.users.findById(id);
      if (!user) throw new NotFoundError(`No user ${id}`);
      if (user.status === 'DELETED') {
        throw new ConflictError('A deleted user cannot be changed (rule: deleted_is_final)', {
          rule: 'deleted_is_final',
        });
      }
      const now = this.clock.now();
      const moves = user.lines
        .map(toLineRecord)
        .filter((line) => line.status !== 'DISABLED')
        .map((line) => {
          const transition = planTransition(line, { to: 'DISABLED', reason, source, occurredAt: now });
          return {
            line,
            transition,
            indicator: computeIndicator(transition.next, now, this.config.staleAfterDays),
          };
        });
      return this.users.stopLines(id, moves, now, normalized, source, lookUpAgain);
    });
  }
}
