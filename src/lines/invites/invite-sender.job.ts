import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CarrierClients } from '../../carriers/carrier-clients';
import { Clock } from '../../common/clock';
import { CarrierRejectedError } from '../../common/errors/domain-error';
import { PeriodicJob } from '../../common/periodic-job';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { runInStoredTrace } from '../../tracing/current-trace';
import { InvitesRepository, type UserInvite } from '../persistence/invites.repository';
import { InviteSignal } from './invite-signal';

const BATCH = 50;

/**
 * Sends recorded invites through the SMS gateway, on any number of replicas: each pass
 * claims due invites (row locks skip each other's, a lease keeps them), sends each with
 * its id as the gateway's idempotency key and marks it sent. A replica that dies after
 * the gateway took a text and before marking it leaves the invite to be claimed again
 * once the lease ends; the same key then gets the gateway's first answer, not a second
 * text. So each invite reaches the phone once.
 */
@Injectable()
export class InviteSender extends PeriodicJob implements OnApplicationBootstrap {
  private readonly settings: LinesConfig['invites'];
  private current?: Promise<number>;
  private again = false;

  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('lines') config: LinesConfig,
    private readonly invites: InvitesRepository,
    private readonly carriers: CarrierClients,
    private readonly signal: InviteSignal,
    private readonly clock: Clock,
  ) {
    super(registry, config.invites.sendIntervalMs);
    this.settings = config.invites;
  }

  onApplicationBootstrap(): void {
    if (this.settings.wakeOnRequest) {
      this.signal.subscribe(() => void this.run().catch(() => undefined));
    }
  }

  /**
   * Passes never overlap in one process: a pass asked for while one runs starts once it
   * ends, so an invite recorded after the running pass claimed waits for no poll.
   */
  override run(): Promise<number> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = super.run().finally(() => {
      this.current = undefined;
      if (this.again) {
        this.again = false;
        void this.run().catch(() => undefined);
      }
    });
    return this.current;
  }

  protected async pass(): Promise<number> {
    let sent = 0;
    for (;;) {
      const due = await this.invites.claimDue(this.clock.now(), this.settings.leaseMs, BATCH);
      for (const invite of due) sent += await this.send(invite);
      if (due.length < BATCH) return sent;
    }
  }

  private send(invite: UserInvite): Promise<number> {
    return runInStoredTrace(invite.traceParent, async () => {
      try {
        await this.carriers.sms.send(invite.mdn, invite.text, `invite-${invite.id}`);
      } catch (error) {
        const refused = error instanceof CarrierRejectedError;
        const retryAt = new Date(this.clock.now().getTime() + this.settings.retryAfterMs);
        await this.invites.markFailed(invite.id, describe(error), refused ? null : retryAt);
        this.logger.warn({ inviteId: invite.id, refused }, 'Invite not sent');
        return 0;
      }
      await this.invites.markSent(invite.id, this.clock.now());
      return 1;
    });
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
