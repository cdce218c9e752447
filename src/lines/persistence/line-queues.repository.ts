import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { Network } from '../domain/networks';

/** A line some job has to act on, with what the job needs to do it. */
export interface QueuedLine {
  userId: string;
  network: Network;
  mdn: string;
}

export interface OptInTextsDue {
  /** First texts that could not go out at once are tried again after this instant. */
  retryFirstBefore: Date;
  /** Unanswered texts are sent again once the last one is older than this. */
  resendBefore: Date;
  maxSends: number;
}

/**
 * The lines waiting for the periodic jobs. Each job re-reads and re-checks a line before
 * acting on it, so two replicas picking the same line do the work once.
 */
@Injectable()
export class LineQueuesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Provisioning requests recorded but not yet taken by the carrier (it was down). */
  async awaitingCarrierRequest(limit: number): Promise<QueuedLine[]> {
    const rows = await this.database.prisma.networkLine.findMany({
      where: { carrierRequestId: { not: null }, carrierRequestedAt: null },
      include: { user: { select: { mdn: true } } },
      take: limit,
    });
    return rows.map(toQueuedLine);
  }

  /** Requests a carrier took before `deadline` and has not answered. */
  async carrierAnswerOverdue(deadline: Date, limit: number): Promise<QueuedLine[]> {
    const rows = await this.database.prisma.networkLine.findMany({
      where: { carrierRequestedAt: { lt: deadline } },
      include: { user: { select: { mdn: true } } },
      take: limit,
    });
    return rows.map(toQueuedLine);
  }

  /** Verizon lines owed an opt-in text: a first one that failed, or a resend. */
  async optInTextsDue(due: OptInTextsDue, limit: number): Promise<QueuedLine[]> {
    const rows = await this.database.prisma.networkLine.findMany({
      where: {
        network: 'verizon',
        optedOut: false,
        OR: [
          {
            status: 'NEW_REQUEST',
            optInSends: 0,
            OR: [{ optInLastSentAt: null }, { optInLastSentAt: { lte: due.retryFirstBefore } }],
          },
          {
            status: { in: ['OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE'] },
            optInSends: { lt: due.maxSends },
            optInLastSentAt: { lte: due.resendBefore },
          },
        ],
      },
      include: { user: { select: { mdn: true } } },
      take: limit,
    });
    return rows.map(toQueuedLine);
  }
}

function toQueuedLine(row: { userId: string; network: string; user: { mdn: string } }): QueuedLine {
  return { userId: row.userId, network: row.network as Network, mdn: row.user.mdn };
}
