import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { DatabaseService } from '../../database/database.service';
import { requireOrganizationId } from '../../database/data-scope';
import type { Prisma, UserInvite } from '../../generated/prisma/client';
import { storedTraceparent } from '../../tracing/current-trace';
import { cooldownLeft, type InviteKind } from '../domain/invite';

export type { UserInvite } from '../../generated/prisma/client';

export interface NewInvite {
  userId: string;
  organizationId: string;
  kind: InviteKind;
  mdn: string;
  text: string;
  requestedAt: Date;
}

/**
 * Invites: recorded by the request that asks (the intent, due at once), claimed and
 * sent by the invite sender on any replica, marked sent once the gateway took it.
 */
@Injectable()
export class InvitesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Records an invite inside another write's transaction (a registration with sendLoginSms). */
  static recordIn(tx: Prisma.TransactionClient, invite: NewInvite): Promise<UserInvite> {
    return tx.userInvite.create({
      data: { ...invite, dueAt: invite.requestedAt, traceParent: storedTraceparent() },
    });
  }

  /**
   * Records an invite for a live user unless one was asked for within the cooldown. The
   * user's row is locked first, so two requests at once cannot both pass the check.
   */
  request(
    userId: string,
    kind: InviteKind,
    text: (user: { username: string }) => string,
    now: Date,
    cooldownMinutes: number,
  ): Promise<UserInvite> {
    const organizationId = requireOrganizationId();
    return this.database.transaction(async (tx) => {
      const [user] = await tx.$queryRaw<{ mdn: string; username: string; status: string }[]>`
        SELECT mdn, username, status::text AS status FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
      if (!user) throw new NotFoundError(`No user ${userId}`);
      if (user.status === 'DELETED') {
        throw new ConflictError('A deleted user cannot be changed (rule: deleted_is_final)', {
          rule: 'deleted_is_final',
        });
      }
      const last = await tx.userInvite.findFirst({
        where: { userId },
        orderBy: { requestedAt: 'desc' },
        select: { requestedAt: true },
      });
      const left = cooldownLeft(last?.requestedAt ?? null, now, cooldownMinutes);
      if (left > 0) {
        throw new ConflictError(
          `This user was invited less than ${cooldownMinutes} minutes ago; invite again in ${left} s (rule: invite_cooldown)`,
          {
            rule: 'invite_cooldown',
            retryAfterSeconds: left,
            lastInvitedAt: last!.requestedAt.toISOString(),
          },
        );
      }
      return InvitesRepository.recordIn(tx, {
        userId,
        organizationId,
        kind,
        mdn: user.mdn,
        text: text(user),
        requestedAt: now,
      });
    });
  }

  /** The user's invites, newest first. */
  forUser(userId: string, limit: number): Promise<UserInvite[]> {
    return this.database.run((db) =>
      db.userInvite.findMany({ where: { userId }, orderBy: { requestedAt: 'desc' }, take: limit }),
    );
  }

  /**
   * Takes up to `limit` due invites (of every organisation: the caller acts across them)
   * and pushes their due time past a lease, so no other replica takes them meanwhile; a
   * replica that dies leaves them to be taken again once the lease ends.
   */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<UserInvite[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    return this.database.run(
      (db) => db.$queryRaw<UserInvite[]>`
        UPDATE user_invites i SET due_at = ${leaseUntil}, attempts = i.attempts + 1
        WHERE i.id IN (
          SELECT id FROM user_invites WHERE due_at <= ${now} ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING i.id, i.organization_id AS "organizationId", i.user_id AS "userId", i.kind::text AS kind,
          i.mdn, i.text, i.requested_at AS "requestedAt", i.due_at AS "dueAt", i.sent_at AS "sentAt",
          i.attempts, i.last_error AS "lastError", i.trace_parent AS "traceParent"`,
    );
  }

  /** The gateway took it: sent, and due no more. */
  async markSent(id: string, at: Date): Promise<void> {
    await this.database.run((db) =>
      db.userInvite.updateMany({
        where: { id, sentAt: null },
        data: { sentAt: at, dueAt: null, lastError: null },
      }),
    );
  }

  /** Not sent: tried again at `retryAt`, or never (null) when the gateway refused it. */
  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await this.database.run((db) =>
      db.userInvite.updateMany({ where: { id, sentAt: null }, data: { dueAt: retryAt, lastError: error } }),
    );
  }
}
