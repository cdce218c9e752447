import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { retryOnStaleWrite } from '../../common/retry-on-stale-write';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import { planTransition } from '../domain/status-machine';
import { UsersRepository, type UserChanges, type UserWithLines } from '../persistence/users.repository';
import { toLineRecord } from '../persistence/line-record';
import type { TransitionSource } from '../domain/network-status';

/**
 * Marks a user Deleted (the row stays, for the record) and disables every line, in one
 * transaction: no half-deleted user, and nothing left for the reconciler to do.
 */
@Injectable()
export class DeleteUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  /**
   * `changes`: fields a PATCH to DELETED changes as well, made in the deletion's
   * transaction. `source`: who asked, for the lines' history (the API, or a directory).
   */
  execute(id: string, changes: UserChanges = {}, source: TransitionSource = 'API'): Promise<UserWithLines> {
    return retryOnStaleWrite(async () => {
      const user = await this.users.findById(id);
      if (!user) throw new NotFoundError(`No user ${id}`);
      if (user.status === 'DELETED') return user;
      const now = this.clock.now();
      const moves = user.lines
        .map(toLineRecord)
        .filter((line) => line.status !== 'DISABLED')
        .map((line) => {
          const transition = planTransition(line, {
            to: 'DISABLED',
            source,
            occurredAt: now,
            detail: 'user deleted',
          });
          return {
            line,
            transition,
            indicator: computeIndicator(transition.next, now, this.config.staleAfterDays),
          };
        });
      return this.users.delete(id, moves, now, changes, source);
    });
  }
}
