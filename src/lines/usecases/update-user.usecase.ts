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
      const { status, ...rest } = changes;
      if (Object.keys(rest).length > 0) await this.applyChanges(id, rest);
      return this.deleteUser.execute(id);
    }
    return this.applyChanges(id, changes);
  }

  private applyChanges(id: string, changes: UserChanges): Promise<UserWithLines> {
    if (changes.mdn !== undefined) {
      const mdn = normalizeMdn(changes.mdn);
      if (!mdn.ok) throw new ValidationFailedError([{ field: 'mdn', reason: mdn.reason }]);
      changes = { ...changes, mdn: mdn.e164 };
    }
    return this.users.update(id, changes, this.clock.now());
  }
}
