import { Clock } from '../../common/clock';
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { normalizeMdn } from '../domain/mdn';
import { UsersRepository, type UserChanges, type UserWithLines } from '../persistence/users.repository';
import { DeleteUser } from './delete-user.usecase';
import type { TransitionSource } from '../domain/network-status';

/** Changes a user's fields or status; a status of DELETED is a deletion. */
@Injectable()
export class UpdateUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly deleteUser: DeleteUser,
    private readonly clock: Clock,
  ) {}

  /** `source`: who asked, for the history of the lines a deletion disables. */
  async execute(id: string, changes: UserChanges, source: TransitionSource = 'API'): Promise<UserWithLines> {
    const existing = await this.users.findById(id);
    if (!existing) throw new NotFoundError(`No user ${id}`);
    // The console's rule: a deleted user is not restored or edited; register anew instead.
    if (existing.status === 'DELETED') {
      throw new ConflictError('A deleted user cannot be changed (rule: deleted_is_final)', {
        rule: 'deleted_is_final',
      });
    }
    if (changes.status === 'DELETED') {
      // The other fields change in the deletion's own transaction: a failure keeps neither.
      const { status, ...rest } = changes;
      return this.deleteUser.execute(id, normalizedChanges(rest), source);
    }
    return this.users.update(id, normalizedChanges(changes), this.clock.now(), source);
  }
}

/** The changes with their MDN, if any, in E.164 (400 if it is not a number). */
export function normalizedChanges(changes: UserChanges): UserChanges {
  if (changes.mdn === undefined) return changes;
  const mdn = normalizeMdn(changes.mdn);
  if (!mdn.ok) throw new ValidationFailedError([{ field: 'mdn', reason: mdn.reason }]);
  return { ...changes, mdn: mdn.e164 };
}
