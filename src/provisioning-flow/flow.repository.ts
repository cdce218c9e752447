import { Injectable } from '@nestjs/common';
import { StaleWriteError } from '../common/errors/domain-error';
import { DatabaseService } from '../database/database.service';
import type { NetworkLine } from '../generated/prisma/client';
import { isValidMobile } from '../lines/domain/mdn';
import { appendNewLineEvents } from '../lines/events/new-line-events';
import type { Network } from '../lines/domain/networks';
import { storedTraceparent } from '../tracing/current-trace';
import { fromColumns, NOTHING_IN_FLIGHT, toColumns, type InFlight } from './domain/in-flight';
import type { FlowLine } from './domain/next-step';

/** A line the reconciler holds, with what it needs to act on it. */
export interface ClaimedLine extends FlowLine {
  userId: string;
  organizationId: string;
  mdn: string;
  /** The trace of the request that asked for the work (W3C traceparent), if any. */
  traceParent: string | null;
}

export interface DueReminder {
  lineId: string;
  userId: string;
  organizationId: string;
  mdn: string;
  consentGivenAt: Date;
  consentRemindedAt: Date | null;
}

export interface ClaimedLookup {
  userId: string;
  mdn: string;
  traceParent: string | null;
}

/** Bookkeeping written with an intent or an outcome. */
export interface FlowBookkeeping {
  optInSends?: number;
  optInLastSentAt?: Date | null;
  optInUndelivered?: number;
  optInDeliveryProblem?: string | null;
  begunRound?: number;
  reconcileAt?: Date | null;
}

/**
 * The reconciler's own reads and writes on lines: claiming due lines, and recording
 * intents and outcomes of calls. Status moves go through the lines module's use case;
 * these writes only touch the flow's columns. Each is a compare-and-set on what the
 * reconciler read (sequence, in-flight key, and the intent's columns that requests write
 * without a move: desired, round, the count of texts, opted out), so a replica or a step
 * that lost a race finds out (StaleWriteError) instead of overwriting.
 */
@Injectable()
export class FlowRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Takes up to `limit` due lines, pushing their due time forward by the lease so no other
   * replica takes them meanwhile; a replica that dies leaves them due again after it.
   * SKIP LOCKED lets replicas claim side by side without waiting on each other.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedLine[]> {
    const until = new Date(now.getTime() + leaseMs);
    const rows = await this.database.run(
      (db) => db.$queryRaw<(NetworkLine & { mdn: string })[]>`
      WITH due AS (
        SELECT id FROM network_lines
        WHERE reconcile_at <= ${now}
        ORDER BY reconcile_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE network_lines AS l SET reconcile_at = ${until}
      FROM due, users AS u
      WHERE l.id = due.id AND u.id = l.user_id
      RETURNING l.id, l.user_id AS "userId", l.organization_id AS "organizationId", l.network, l.status, l.sequence, l.desired,
        l.round, l.begun_round AS "begunRound", l.settled_at AS "settledAt", l.desired_at AS "desiredAt",
        l.opt_in_sends AS "optInSends", l.opt_in_last_sent_at AS "optInLastSentAt", l.opted_out AS "optedOut",
        l.inflight_kind AS "inflightKind", l.inflight_phase AS "inflightPhase",
        l.inflight_key AS "inflightKey", l.inflight_since AS "inflightSince",
        l.trace_parent AS "traceParent", u.mdn`,
    );
    return rows.map(toClaimedLine);
  }

  /** Lines due by `now` and not claimed: how many, and the earliest due time among them. */
  async waiting(now: Date): Promise<{ waiting: number; oldest: Date | null }> {
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ waiting: number; oldest: Date | null }[]>`
      SELECT count(*)::int AS waiting, min(reconcile_at) AS oldest
      FROM network_lines WHERE reconcile_at <= ${now}`,
    );
    return row;
  }

  async find(lineId: string): Promise<ClaimedLine | undefined> {
    const row = await this.database.run((db) =>
      db.networkLine.findUnique({
        where: { id: lineId },
        include: { user: { select: { mdn: true } } },
      }),
    );
    return row ? toClaimedLine({ ...row, mdn: row.user.mdn }) : undefined;
  }

  async findOfUser(userId: string, network: Network): Promise<ClaimedLine | undefined> {
    const row = await this.database.run((db) =>
      db.networkLine.findUnique({
        where: { userId_network: { userId, network } },
        include: { user: { select: { mdn: true } } },
      }),
    );
    return row ? toClaimedLine({ ...row, mdn: row.user.mdn }) : undefined;
  }

  /** Look at the line again at `at` (null: only when something changes it). */
  async schedule(line: ClaimedLine, at: Date | null): Promise<void> {
    await this.casUpdate(line, { reconcileAt: at });
  }

  /** The current intent reached its end. */
  async settle(line: ClaimedLine, now: Date): Promise<void> {
    await this.casUpdate(line, { settledAt: now, reconcileAt: null });
  }

  /**
   * Records a call before it is made (and, for a text, counts it then: a text counts
   * against the cap and the interval from the moment it may have gone out).
   */
  async recordInFlight(line: ClaimedLine, inFlight: InFlight, extra: FlowBookkeeping): Promise<void> {
    await this.casUpdate(line, { ...toColumns(inFlight), ...extra });
  }

  /** The carrier took the request: it owes a callback by `answerBy`. */
  async markAccepted(lineId: string, key: string, now: Date, answerBy: Date): Promise<boolean> {
    const updated = await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: lineId, inflightKey: key, inflightPhase: 'SENDING' },
        data: { inflightPhase: 'ACCEPTED', inflightSince: now, reconcileAt: answerBy },
      }),
    );
    return updated.count === 1;
  }

  /**
   * The text went out, but the line moved meanwhile (the subscriber's reply came first):
   * it is only marked done, counted from now; the reply's move stands.
   */
  async textDone(lineId: string, key: string, now: Date): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: lineId, inflightKey: key },
        data: { ...toColumns(NOTHING_IN_FLIGHT), optInLastSentAt: now, reconcileAt: now },
      }),
    );
  }

  /** A call that failed for now: try again at `at`, with the same key. */
  async retryLater(lineId: string, key: string, at: Date): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: lineId, inflightKey: key },
        data: { reconcileAt: at },
      }),
    );
  }

  /** Users whose network the number lookup has to find, claimed like lines. */
  async claimLookups(now: Date, leaseMs: number, limit: number): Promise<ClaimedLookup[]> {
    const until = new Date(now.getTime() + leaseMs);
    return this.database.run(
      (db) => db.$queryRaw<ClaimedLookup[]>`
      WITH due AS (
        SELECT id FROM users WHERE lookup_due_at <= ${now}
        ORDER BY lookup_due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      UPDATE users AS u SET lookup_due_at = ${until} FROM due WHERE u.id = due.id
      RETURNING u.id AS "userId", u.mdn, u.lookup_trace_parent AS "traceParent"`,
    );
  }

  /**
   * The intent to provision a line: created if new, else a new round; the user's lookup,
   * if this came from one, is done in the same transaction, and only if it is still
   * wanted: a lookup that another replica finished (its lease ran out meanwhile), or of a
   * user deleted meanwhile, is answered by nothing. False when nothing was recorded.
   */
  async recordProvisioningIntent(
    userId: string,
    network: Network,
    now: Date,
    finishLookup: boolean,
  ): Promise<boolean> {
    const intent = {
      desired: 'PROVISIONED' as const,
      desiredAt: now,
      settledAt: null,
      reconcileAt: now,
      traceParent: storedTraceparent(),
    };
    return this.database.transaction(async (tx) => {
      if (finishLookup) {
        const wanted = await tx.user.updateMany({
          where: { id: userId, lookupDueAt: { not: null } },
          data: { lookupDueAt: null },
        });
        if (wanted.count === 0) return false;
      }
      const { organizationId } = await tx.user.findUniqueOrThrow({
        where: { id: userId },
        select: { organizationId: true },
      });
      await tx.networkLine.upsert({
        where: { userId_network: { userId, network } },
        create: { userId, organizationId, network, statusChangedAt: now, round: 1, ...intent },
        update: { round: { increment: 1 }, ...intent },
      });
      await appendNewLineEvents(tx, [userId], now, 'SYSTEM');
      return true;
    });
  }

  /** An administrator's new round of opt-in texts: the count starts again. */
  async restartTexts(line: ClaimedLine, now: Date): Promise<void> {
    await this.casUpdate(line, {
      optInSends: 0,
      optInLastSentAt: null,
      settledAt: null,
      reconcileAt: now,
      traceParent: storedTraceparent(),
    });
  }

  /** The user's network is to be found again (a port-out). */
  async queueLookup(userId: string, now: Date): Promise<void> {
    await this.database.run((db) =>
      db.user.updateMany({
        where: { id: userId },
        data: { lookupDueAt: now, lookupTraceParent: storedTraceparent() },
      }),
    );
  }

  async finishLookup(userId: string): Promise<void> {
    await this.database.run((db) =>
      db.user.updateMany({ where: { id: userId }, data: { lookupDueAt: null } }),
    );
  }

  /**
   * The gateway could not deliver opt-in text `count` of the line's round: it counts as
   * not sent (neither against the cap nor for the interval), so the reconciler sends it
   * again after `retryAt`, up to `maxRetries` times a round; the reason shows in the
   * tooltip. Only while that text is the line's latest and nothing is in flight: a receipt
   * for an older text, or after a reply, changes nothing but the reason. False if so.
   */
  async markUndelivered(
    lineId: string,
    count: number,
    reason: string,
    retryAt: Date,
    maxRetries: number,
  ): Promise<boolean> {
    const retried = await this.database.run((db) =>
      db.networkLine.updateMany({
        where: {
          id: lineId,
          optInSends: count,
          optInUndelivered: { lt: maxRetries },
          inflightKind: null,
          optedOut: false,
          status: { in: ['NEW_REQUEST', 'OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE'] },
        },
        data: {
          optInSends: { decrement: 1 },
          optInLastSentAt: null,
          optInUndelivered: { increment: 1 },
          optInDeliveryProblem: reason,
          settledAt: null,
          reconcileAt: retryAt,
        },
      }),
    );
    if (retried.count === 1) return true;
    await this.database.run((db) =>
      db.networkLine.updateMany({ where: { id: lineId }, data: { optInDeliveryProblem: reason } }),
    );
    return false;
  }

  /** A text reached the subscriber: no delivery problem to show any more. */
  async markDelivered(lineId: string): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: lineId, optInDeliveryProblem: { not: null } },
        data: { optInDeliveryProblem: null },
      }),
    );
  }

  /**
   * An administrator's new round after the subscriber revoked: the opt-out is lifted and
   * a new round recorded, in one transaction. False when the line was not opted out.
   */
  async restartAfterRevocation(line: ClaimedLine, now: Date): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const lifted = await tx.networkLine.updateMany({
        where: { id: line.id, optedOut: true },
        data: {
          optedOut: false,
          round: { increment: 1 },
          desired: 'PROVISIONED',
          desiredAt: now,
          settledAt: null,
          reconcileAt: now,
          traceParent: storedTraceparent(),
        },
      });
      return lifted.count === 1;
    });
  }

  /**
   * Consenting Verizon lines whose reminder is due (consent, or the last reminder, at or
   * before `basis`), claimed for `leaseMs` like due lines; SKIP LOCKED keeps replicas apart.
   */
  claimReminders(now: Date, basis: Date, leaseMs: number, limit: number): Promise<DueReminder[]> {
    const until = new Date(now.getTime() + leaseMs);
    return this.database.run(
      (db) => db.$queryRaw<DueReminder[]>`
      WITH due AS (
        SELECT id FROM network_lines
        WHERE consent_given_at IS NOT NULL AND NOT opted_out AND status = 'ENABLED'
          AND GREATEST(consent_given_at, COALESCE(consent_reminded_at, consent_given_at)) <= ${basis}
          AND (reminder_lease_until IS NULL OR reminder_lease_until <= ${now})
        ORDER BY consent_given_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      UPDATE network_lines AS l SET reminder_lease_until = ${until}
      FROM due, users AS u
      WHERE l.id = due.id AND u.id = l.user_id AND u.status <> 'DELETED'
      RETURNING l.id AS "lineId", l.user_id AS "userId", l.organization_id AS "organizationId", u.mdn,
        l.consent_given_at AS "consentGivenAt", l.consent_reminded_at AS "consentRemindedAt"`,
    );
  }

  /** The reminder is owed (recorded for sending): the next one counts from now. */
  async reminderOwed(lineId: string, now: Date): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: lineId },
        data: { consentRemindedAt: now, reminderLeaseUntil: null },
      }),
    );
  }

  /**
   * Writes flow columns if the line is as read: same sequence, same call in flight, same
   * intent. A new round, an administrator's resend or a STOP change the intent without a
   * move (no new sequence): a step planned before them must not write over them.
   */
  private async casUpdate(line: ClaimedLine, data: Record<string, unknown>): Promise<void> {
    const key = line.inFlight.kind === 'NONE' ? null : line.inFlight.key;
    const updated = await this.database.run((db) =>
      db.networkLine.updateMany({
        where: {
          id: line.id,
          sequence: line.sequence,
          inflightKey: key,
          desired: line.desired,
          round: line.round,
          optInSends: line.optInSends,
          optedOut: line.optedOut,
        },
        data,
      }),
    );
    if (updated.count !== 1) throw new StaleWriteError('The line changed while the reconciler worked on it');
  }
}

type ClaimedRow = Pick<
  NetworkLine,
  | 'id'
  | 'userId'
  | 'organizationId'
  | 'network'
  | 'status'
  | 'sequence'
  | 'desired'
  | 'round'
  | 'begunRound'
  | 'settledAt'
  | 'desiredAt'
  | 'optInSends'
  | 'optInLastSentAt'
  | 'optedOut'
  | 'inflightKind'
  | 'inflightPhase'
  | 'inflightKey'
  | 'inflightSince'
  | 'traceParent'
> & { mdn: string };

function toClaimedLine(row: ClaimedRow): ClaimedLine {
  return {
    id: row.id,
    userId: row.userId,
    organizationId: row.organizationId,
    mdn: row.mdn,
    network: row.network as Network,
    status: row.status,
    sequence: row.sequence,
    desired: row.desired,
    round: row.round,
    begunRound: row.begunRound,
    settled: row.settledAt !== null,
    optInSends: row.optInSends,
    optInLastSentAt: row.optInLastSentAt,
    optedOut: row.optedOut,
    mobile: isValidMobile(row.mdn),
    inFlight: fromColumns(row),
    traceParent: row.traceParent,
  };
}
