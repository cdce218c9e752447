import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { normalizeMdn } from '../domain/mdn';
import type { Network } from '../domain/networks';
import { RegistrationHooks } from '../registration-hooks';
import { UsersRepository, type NewUser, type UserWithLines } from '../persistence/users.repository';

export interface RegisterUserCommand extends NewUser {
  network?: Network;
}

/**
 * Starts tracking a user. The line's network comes from the request; without it the user
 * has no line until a carrier lookup says which network the MDN is on.
 */
@Injectable()
export class RegisterUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly hooks: RegistrationHooks,
    private readonly clock: Clock,
  ) {}

  async execute({ network, ...user }: RegisterUserCommand): Promise<UserWithLines> {
    const mdn = normalizeMdn(user.mdn);
    if (!mdn.ok) throw new ValidationFailedError([{ field: 'mdn', reason: mdn.reason }]);
    const created = await this.users.create(
      { ...user, mdn: mdn.e164 },
      network ? [network] : [],
      this.clock.now(),
    );
    await this.hooks.run(created);
    return (await this.users.findById(created.id)) ?? created;
  }
}
