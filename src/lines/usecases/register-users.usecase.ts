import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { KEY_TTL_MS } from '../../idempotency/idempotent.decorator';
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

  /**
   * How many users an import with this key registered (0: it did not commit): a task
   * taken over after its runner died finds out whether the dead runner's import committed.
   */
  imported(idempotencyKey: string): Promise<number> {
    return this.users.countImported(idempotencyKey, this.keyKeptSince(this.clock.now()));
  }

  /**
   * Registers users in one transaction as `fill` hands them over in batches, then commits
   * if its outcome says so (else none stays). Provisioning starts once they are in.
   */
  async inBatches<T extends { commit: boolean }>(
    idempotencyKey: string,
    fill: (register: (users: NewUserOnNetworks[]) => Promise<void>) => Promise<T>,
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    const provision = this.config.provisionOnRegister;
    const now = this.clock.now();
    const intent = { provision, idempotencyKey, keyKeptSince: this.keyKeptSince(now) };
    const outcome = await this.users.createInBatches(intent, now, fill, options);
    if (provision && outcome.commit) this.signal.raise();
    return outcome;
  }

  /** A key is kept as long as the Idempotency-Key store keeps it; after that it is a new request. */
  private keyKeptSince(now: Date): Date {
    return new Date(now.getTime() - KEY_TTL_MS);
  }
}
