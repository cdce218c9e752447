import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { InjectConfig } from '../../config/config.module';
import { IdempotencyKeyReusedError } from '../../idempotency/idempotency.errors';
import { KEY_TTL_MS } from '../../idempotency/idempotent.decorator';
import type { RequestIdempotency } from '../../idempotency/request-idempotency';
import type { LinesConfig } from '../../config/config';
import { normalizeMdn } from '../domain/mdn';
import { inviteText } from '../domain/invite';
import { InviteSignal } from '../invites/invite-signal';
import type { Network } from '../domain/networks';
import type { TransitionSource } from '../domain/network-status';
import { UsersRepository, type NewUser, type UserWithLines } from '../persistence/users.repository';

export interface RegisterUserCommand extends NewUser {
  network?: Network;
  /**
   * The request's Idempotency-Key and fingerprint: a retry of a registration that committed
   * returns its user; the same key with another body is refused.
   */
  idempotency?: RequestIdempotency;
  /** Provision whatever PROVISION_ON_REGISTER says: a directory's active user always is. */
  provision?: boolean;
  /** Who registers, for the event: the admin API unless a directory (SCIM) does. */
  source?: TransitionSource;
  /** Text the user their login details and the app link (an invite, recorded with the user). */
  sendLoginSms?: boolean;
}

/**
 * Starts tracking a user, and (unless turned off) provisioning its number: the intent is
 * committed with the user and the reconciler carries it out. Without a network, the
 * reconciler first asks the number lookup which one.
 */
@Injectable()
export class RegisterUser {
  constructor(
    private readonly users: UsersRepository,
    private readonly signal: ReconcileSignal,
    private readonly invites: InviteSignal,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  async execute({
    network,
    idempotency,
    provision: asked,
    source,
    sendLoginSms,
    ...user
  }: RegisterUserCommand): Promise<UserWithLines> {
    const now = this.clock.now();
    // A key is kept as long as the Idempotency-Key store keeps it; after that it is a new request.
    const keyKeptSince = new Date(now.getTime() - KEY_TTL_MS);
    if (idempotency) {
      const earlier = await this.users.findByIdempotencyKey(idempotency.key, keyKeptSince);
      // Users registered before fingerprints were kept have none: the key alone decides.
      const sameRequest =
        earlier?.idempotencyFingerprint == null || earlier.idempotencyFingerprint === idempotency.fingerprint;
      if (earlier && !sameRequest) throw new IdempotencyKeyReusedError();
      if (earlier) return earlier;
    }
    const mdn = normalizeMdn(user.mdn);
    if (!mdn.ok) throw new ValidationFailedError([{ field: 'mdn', reason: mdn.reason }]);
    const provision = asked ?? this.config.provisionOnRegister;
    const created = await this.users.create({ ...user, mdn: mdn.e164 }, network ? [network] : [], now, {
      provision,
      idempotency,
      keyKeptSince,
      source,
      loginSms: sendLoginSms
        ? (created) => inviteText('LOGIN_DETAILS', this.config.invites.appLink, created.username)
        : undefined,
    });
    if (provision) this.signal.raise();
    if (sendLoginSms) this.invites.raise();
    return created;
  }
}
