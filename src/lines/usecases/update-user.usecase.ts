import { Clock } from '../../common/clock';
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { normalizeMdn } from '../domain/mdn';
import { UsersRepository, type UserChanges, type UserWithLines } from '../persistence/users.repository';
import { DeleteUser } from './delete-user.usecase';

/** Changes a user's fields or status; a status of DELETED is a deletion. */
@Injectable()
export class UpdateUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly deleteUser: DeleteUser,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, changes: UserChanges): Promise<UserWithLines> {
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
      return this.deleteUser.execute(id, normalized(rest));
    }
    return this.users.update(id, normalized(changes), this.clock.now());
  }
}

function normalized(changes: UserChanges): UserChanges {
  if (changes.mdn === undefined) return changes;
  const mdn = normalizeMdn(changes.mdn);
  if (!mdn.ok) throw new ValidationFailedError([{ field: 'mdn', reason: mdn.reason }]);
  return { ...changes, mdn: mdn.e164 };
}
