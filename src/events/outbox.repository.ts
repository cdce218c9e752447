import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { StoredEvent } from './event-encoding';

export interface Cursor {
  txid: bigint;
  id: bigint;
}

export interface OutboxRow extends StoredEvent {
  id: bigint;
  txid: bigint;
  createdAt: Date;
}

/**
 * Rows whose writing transaction is older than every transaction still running are
 * final: no row can commit later with a smaller (txid, id). Readers take only those, in
 * (txid, id) order, so neither the relay nor the feed skips an event that commits late.
 */
const SETTLED = `txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

@Injectable()
export class OutboxRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Unsent settled rows in order, after `cursor` when given (rows being marked sent). */
  unsent(limit: number, cursor?: Cursor): Promise<OutboxRow[]> {
    return this.settledAfter(cursor, limit, 'AND sent_at IS NULL');
  }

  /** The "changes since" feed: settled events after the cursor, sent or not. */
  after(cursor: Cursor | undefined, limit: number): Promise<OutboxRow[]> {
    return this.settledAfter(cursor, limit, '');
  }

  async markSent(ids: bigint[], at: Date): Promise<void> {
    await this.database.prisma.$executeRaw`
      UPDATE outbox_events SET sent_at = ${at} WHERE id = ANY(${ids}::bigint[]) AND sent_at IS NULL`;
  }

  private settledAfter(cursor: Cursor | undefined, limit: number, filter: string): Promise<OutboxRow[]> {
    const from = cursor ?? { txid: -1n, id: -1n };
    return this.database.prisma.$queryRawUnsafe<OutboxRow[]>(
      `SELECT id, txid, event_id::text AS "eventId", event_type AS "eventType", key, payload, created_at AS "createdAt"
       FROM outbox_events WHERE (txid, id) > ($1::bigint, $2::bigint) AND ${SETTLED} ${filter}
       ORDER BY txid, id LIMIT $3`,
      from.txid,
      from.id,
      limit,
    );
  }

  async backlog(): Promise<{ unsent: number; oldest: Date | null }> {
    const [row] = await this.database.prisma.$queryRaw<{ unsent: number; oldest: Date | null }[]>`
      SELECT count(*)::int AS unsent, min(created_at) AS oldest FROM outbox_events WHERE sent_at IS NULL`;
    return row;
  }

  /** Deletes sent rows older than `before`, a batch at a time; returns how many. */
  async deleteSentBefore(before: Date, batch = 10_000): Promise<number> {
    return this.database.prisma.$executeRaw`
      DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events WHERE sent_at < ${before} ORDER BY sent_at LIMIT ${batch})`;
  }

  /**
   * Takes or renews the named lease for `ttlMs`; true when this owner holds it. A relay
   * that stops renewing loses it after the TTL and another replica takes over.
   */
  async holdLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const rows = await this.database.prisma.$queryRaw<{ owner: string }[]>`
      INSERT INTO relay_leases (name, owner, expires_at)
      VALUES (${name}, ${owner}, now() + ${ttlMs} * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
      WHERE relay_leases.owner = EXCLUDED.owner OR relay_leases.expires_at < now()
      RETURNING owner`;
    return rows.length === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.database.prisma.relayLease.deleteMany({ where: { name, owner } });
  }
}
