import { Injectable } from '@nestjs/common';
import { StaleWriteError } from '../../common/errors/domain-error';
import { DatabaseService } from '../../database/database.service';
import type { StatusHistory } from '../../generated/prisma/client';
import { appendToOutbox } from '../../outbox/outbox.writer';
import { networkStatusChanged, USER_SNAPSHOT_FIELDS } from '../events/line-events';
import { sightingPublishes } from '../domain/sighting-events';
import { nextLineEvent } from './event-sequences';
import type { Prisma } from '../../generated/prisma/client';
import type { IndicatorResult } from '../domain/indicator';
import type { TransitionSource } from '../domain/network-status';
import type { Network } from '../domain/networks';
import type { Transition } from '../domain/status-machine';
import { toLineRecord, type LineFlowFields, type LineRecord } from './line-record';

export interface StoredTransition {
  line: LineRecord;
  transition: Transition;
  indicator: IndicatorResult;
  /** Flow bookkeeping written with the move, e.g. the opt-in send count. */
  flow?: Partial<LineFlowFields>;
  /** Another module's writes that must land with the move or not at all (the consent ledger's). */
  alongside?: (tx: Prisma.TransactionClient) => Promise<void>;
}

@Injectable()
export class LinesRepository {
  constructor(private readonly database: DatabaseService) {}

  async find(userId: string, network: Network): Promise<LineRecord | undefined> {
    const row = await this.database.run((db) =>
      db.networkLine.findUnique({
        where: { userId_network: { userId, network } },
      }),
    );
    return row ? toLineRecord(row) : undefined;
  }

  /** The line, unless its user was deleted: a deleted user's lines move no more. */
  async findLive(userId: string, network: Network): Promise<LineRecord | undefined> {
    const row = await this.database.run((db) =>
      db.networkLine.findFirst({
        where: { userId, network, user: { status: { not: 'DELETED' } } },
      }),
    );
    return row ? toLineRecord(row) : undefined;
  }

  /** The line on `network` of the user with this MDN, in one query. */
  async findByMdn(mdn: string, network: Network): Promise<LineRecord | undefined> {
    // A deleted user's number is no longer theirs: carriers' words about it find nothing.
    const row = await this.database.run((db) =>
      db.networkLine.findFirst({
        where: { network, user: { mdn, status: { not: 'DELETED' } } },
      }),
    );
    return row ? toLineRecord(row) : undefined;
  }

  async listForUser(userId: string): Promise<LineRecord[]> {
    const rows = await this.database.run((db) =>
      db.networkLine.findMany({
        where: { userId },
        orderBy: { network: 'asc' },
      }),
    );
    return rows.map(toLineRecord);
  }

  async create(userId: string, network: Network, now: Date): Promise<LineRecord> {
    const row = await this.database.transaction(async (db) => {
      // A line belongs to its user's organisation (the foreign key checks it too).
      const { organizationId } = await db.user.findUniqueOrThrow({
        where: { id: userId },
        select: { organizationId: true },
      });
      return db.networkLine.upsert({
        where: { userId_network: { userId, network } },
        create: { userId, organizationId, network, statusChangedAt: now },
        update: {},
      });
    });
    return toLineRecord(row);
  }

  /**
   * Writes the new state and its history row in one transaction. The update only lands
   * if nobody changed the line since it was read (its sequence is unchanged); otherwise
   * a StaleWriteError tells the caller to read again and re-plan.
   */
  applyTransition(stored: StoredTransition): Promise<LineRecord> {
    return this.database.transaction(async (tx) => {
      const moved = await this.applyTransitionIn(tx, stored);
      await stored.alongside?.(tx);
      return moved;
    });
  }

  /** The same, inside the caller's transaction (a deletion moves every line with the user). */
  async applyTransitionIn(
    tx: Prisma.TransactionClient,
    { line, transition, indicator, flow = {} }: StoredTransition,
  ): Promise<LineRecord> {
    const next = transition.next;
    // Nor on a user deleted since the line was read: a deletion that found the line already
    // Disabled leaves its sequence as it was.
    const updated = await tx.networkLine.updateMany({
      where: { id: line.id, sequence: line.sequence, user: { status: { not: 'DELETED' } } },
      data: {
        status: next.status,
        reason: next.reason,
        statusChangedAt: next.statusChangedAt,
        lastSeenAt: next.lastSeenAt,
        indicator: indicator.indicator,
        ...flow,
        sequence: { increment: 1 },
      },
    });
    if (updated.count !== 1) throw new StaleWriteError('The line changed while this change was being made');
    await tx.statusHistory.create({
      data: {
        lineId: line.id,
        organizationId: line.organizationId,
        fromStatus: transition.from,
        toStatus: transition.to,
        reason: transition.reason,
        source: transition.source,
        detail: transition.detail,
        occurredAt: transition.occurredAt,
        lineSequence: line.sequence + 1,
      },
    });
    const stored: LineRecord = {
      ...line,
      ...next,
      ...flow,
      indicator: indicator.indicator,
      sequence: line.sequence + 1,
    };
    const sequence = await this.publishChange(
      tx,
      line,
      stored,
      indicator,
      transition.source,
      transition.occurredAt,
    );
    return sequence === undefined
      ? stored
      : { ...stored, eventSequence: sequence, eventLastSeenAt: stored.lastSeenAt };
  }

  /**
   * The event for a change of status, reason or indicator, written in the same
   * transaction with the line's next event sequence. A move that changes none of them (an
   * opt-in resend) has no event, and takes no sequence.
   */
  private async publishChange(
    tx: Prisma.TransactionClient,
    before: LineRecord,
    after: LineRecord,
    indicator: IndicatorResult,
    source: TransitionSource,
    occurredAt: Date,
    force = false,
  ): Promise<number | undefined> {
    const changed =
      before.status !== after.status ||
      before.reason !== after.reason ||
      before.indicator !== after.indicator;
    if (!changed && !force) return undefined;
    const sequence = await nextLineEvent(tx, after.id, after.lastSeenAt);
    const user = await tx.user.findUniqueOrThrow({
      where: { id: after.userId },
      select: USER_SNAPSHOT_FIELDS,
    });
    await appendToOutbox(tx, [
      networkStatusChanged({
        organizationId: after.organizationId,
        user,
        network: after.network,
        previousStatus: before.status,
        status: after.status,
        reason: after.reason,
        previousIndicator: before.indicator,
        indicator: indicator.indicator,
        indicatorReason: indicator.reason,
        statusChangedAt: after.statusChangedAt,
        lastSeenAt: after.lastSeenAt,
        sequence,
        source,
        occurredAt,
      }),
    ]);
    return sequence;
  }

  /** Flow bookkeeping alone (no status change), guarded like a transition. */
  async updateFlow(line: LineRecord, flow: Partial<LineFlowFields>): Promise<LineRecord> {
    const updated = await this.database.run((db) =>
      db.networkLine.updateMany({
        where: { id: line.id, sequence: line.sequence },
        data: { ...flow, sequence: { increment: 1 } },
      }),
    );
    if (updated.count !== 1) throw new StaleWriteError('The line changed meanwhile');
    return { ...line, ...flow, sequence: line.sequence + 1 };
  }

  /** The subscriber said STOP while the line could not move to Disabled: no more texts. */
  async markOptedOut(line: LineRecord): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.update({ where: { id: line.id }, data: { optedOut: true } }),
    );
  }

  /**
   * Clears the carrier request in flight, if it is still the one read and the line still
   * has the status it was read with, and lets the reconciler look again.
   */
  async closeRequest(line: LineRecord, now: Date): Promise<void> {
    await this.database.run((db) =>
      db.networkLine.updateMany({
        where: {
          id: line.id,
          status: line.status,
          inflightKey: line.inflightKey,
          inflightKind: 'CARRIER_REQUEST',
        },
        data: {
          inflightKind: null,
          inflightPhase: null,
          inflightKey: null,
          inflightSince: null,
          reconcileAt: now,
        },
      }),
    );
  }

  /** Keeps a move in the history without applying it (an out-of-order callback), with why. */
  async recordUnapplied(line: LineRecord, transition: Omit<Transition, 'next'>, why: string): Promise<void> {
    await this.database.run((db) =>
      db.statusHistory.create({
        data: {
          lineId: line.id,
          organizationId: line.organizationId,
          fromStatus: line.status,
          toStatus: transition.to,
          reason: transition.reason,
          source: transition.source,
          detail: transition.detail,
          occurredAt: transition.occurredAt,
          lineSequence: line.sequence,
          applied: false,
          unappliedReason: why,
        },
      }),
    );
  }

  /**
   * Moves last-seen forward. Most sightings change nothing else and publish nothing; one
   * that changes the indicator (ORANGE back to GREEN) or the day last-seen shows writes
   * the line's event, in the same transaction (sightingPublishes).
   */
  async recordSighting(
    line: LineRecord,
    lastSeenAt: Date,
    indicator: IndicatorResult,
    now: Date,
  ): Promise<LineRecord> {
    const stored: LineRecord = {
      ...line,
      lastSeenAt,
      indicator: indicator.indicator,
      sequence: line.sequence + 1,
    };
    const write = async (tx: Prisma.TransactionClient) => {
      const updated = await tx.networkLine.updateMany({
        where: { id: line.id, sequence: line.sequence },
        data: { lastSeenAt, indicator: indicator.indicator, sequence: { increment: 1 } },
      });
      if (updated.count !== 1)
        throw new StaleWriteError('The line changed while this sighting was being recorded');
    };
    const publishes = sightingPublishes(
      line.eventLastSeenAt,
      lastSeenAt,
      line.indicator !== indicator.indicator,
    );
    if (!publishes) {
      // One statement, no transaction: the common case of a busy line stays cheap.
      return this.database.run(async (db) => {
        await write(db);
        return stored;
      });
    }
    return this.database.transaction(async (tx) => {
      await write(tx);
      const sequence = await this.publishChange(tx, line, stored, indicator, 'CARRIER_CALLBACK', now, true);
      return { ...stored, eventLastSeenAt: lastSeenAt, eventSequence: sequence! };
    });
  }

  history(lineId: string, limit: number): Promise<StatusHistory[]> {
    return this.database.run((db) =>
      db.statusHistory.findMany({
        where: { lineId },
        orderBy: [{ occurredAt: 'desc' }, { lineSequence: 'desc' }, { recordedAt: 'desc' }],
        take: limit,
      }),
    );
  }
}
