import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { UsersRepository, type NewUserOnNetworks, type UserWithLines } from '../persistence/users.repository';

export type { NewUserOnNetworks, UserWithLines };

/**
 * Registers many users at once (an import): all or none, in one transaction with the
 * intent to provision them, so a crash after the commit loses no work.
 */
@Injectable()
export class RegisterUsers {
  constructor(
    private readonly users: UsersRepository,
    private readonly signal: ReconcileSignal,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  /** Which of these identifiers stored users already have. */
  taken(wanted: { usernames: string[]; mdns: string[]; customerCodes: string[] }) {
    return this.users.takenIdentifiers(wanted);
  }

  async execute(users: NewUserOnNetworks[]): Promise<UserWithLines[]> {
    const provision = this.config.provisionOnRegister;
    const created = await this.users.createMany(users, this.clock.now(), { provision });
    if (provision) this.signal.raise();
    return created;
  }
}
