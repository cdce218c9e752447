import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { inviteText } from '../domain/invite';
import { presentInvite, type InviteView } from '../queries/invite-view';
import { InvitesRepository } from '../persistence/invites.repository';
import { InviteSignal } from './invite-signal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Texts a user the app's download link: records the invite (the intent, answered 202) in
 * one transaction; the invite sender sends it. Refused within the cooldown of the last
 * invite (409, `invite_cooldown`), and for a deleted user (409, `deleted_is_final`).
 */
@Injectable()
export class InviteUser {
  constructor(
    private readonly invites: InvitesRepository,
    private readonly signal: InviteSignal,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  async execute(userId: string): Promise<InviteView> {
    if (!UUID.test(userId)) throw new NotFoundError(`No user ${userId}`);
    const { appLink, cooldownMinutes } = this.config.invites;
    const invite = await this.invites.request(
      userId,
      'APP_LINK',
      (user) => inviteText('APP_LINK', appLink, user.username),
      this.clock.now(),
      cooldownMinutes,
    );
    this.signal.raise();
    return presentInvite(invite);
  }
}
