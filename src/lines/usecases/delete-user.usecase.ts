import { Clock } from '../../common/clock';
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error';
import type { Network } from '../domain/networks';
import { UsersRepository, type UserWithLines } from '../persistence/users.repository';
import { ChangeLineStatus } from './change-line-status.usecase';

/**
 * Marks a user Deleted (the row stays, for the record) and disables provisioning on every
 * network the user has.
 */
@Injectable()
export class DeleteUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly changeLineStatus: ChangeLineStatus,
    private readonly clock: Clock,
  ) {}

  async execute(id: string): Promise<UserWithLines> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError(`No user ${id}`);
    for (const line of user.lines.filter((candidate) => candidate.status !== 'DISABLED')) {
      await this.changeLineStatus.execute({
        userId: id,
        network: line.network as Network,
        to: 'DISABLED',
        source: 'API',
        detail: 'user deleted',
        // Nothing outstanding at the carrier is to be retried for a deleted user.
        flow: () => ({ carrierRequestId: null, carrierRequestedAt: null }),
      });
    }
    return this.users.update(id, { status: 'DELETED' }, this.clock.now());
  }
}
