import { Injectable } from '@nestjs/common';
import { currentOrganizationId } from '../../database/data-scope';
import { DatabaseService } from '../../database/database.service';
import type { OutboxMessage } from '../outbox-message';
import { SNAPSHOT_XMIN_SQL, type Cursor } from '../feed/events-cursor';

export type { Cursor } from '../feed/events-cursor';

export interface OutboxRow extends OutboxMessage {
  id: bigint;
  txid: bigint;
  createdAt: Date;
  /** The W3C traceparent of the work that wrote the event, if it had one. */
  traceParent: string | null;
}

/**
 * Rows whose writing transaction is older than every transaction still running are
 * final: no row can commit later with a smaller (txid, id). Readers take only those, in
 * (txid, id) order, so neither the relay nor the feed skips an event that commits late.
 */
const SETTLED = `txid < ${SNAPSHOT_XMIN_SQL}`;

/** The relay's name for its mark (one relay publishes the outbox, holding its lease). */
const RELAY = 'outbox-relay';
const BEFORE_EVERYTHING: Cursor = { txid: -1n, id: -1n };

@Injectable()
export class OutboxRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Unsent settled rows in order: after `cursor`, or else after the relay's mark. */
  async unsent(limit: number, cursor?: Cursor): Promise<OutboxRow[]> {
    return this.settledAfter(cursor ?? (await this.sentUpTo()) ?? BEFORE_EVERYTHING, limit);
  }

  /**
   * The "changes since" feed: settled events after the cursor, sent or not. Records for
   * another topic (the compacted current state, `excluding`) are the relay's only.
   */
  after(cursor: Cursor | undefined, limit: number, excluding: string[] = []): Promise<OutboxRow[]> {
    return this.settledAfter(cursor ?? BEFORE_EVERYTHING, limit, excluding);
  }

  /** The oldest transaction still running: events of older ones are settled. */
  async settledBelow(): Promise<bigint> {
    const [row] = await this.database.run((db) =>
      db.$queryRawUnsafe<{ xmin: bigint }[]>(`SELECT ${SNAPSHOT_XMIN_SQL} AS xmin`),
    );
    return BigInt(row.xmin);
  }

  /** Everything up to `upTo` is sent. The mark only moves forward, whatever the order of calls. */
  async markSentUpTo(upTo: Cursor, at: Date): Promise<void> {
    await this.database.run(
      (db) => db.$executeRaw`
      INSERT INTO outbox_offsets AS o (name, txid, id, updated_at) VALUES (${RELAY}, ${upTo.txid}, ${upTo.id}, ${at})
      ON CONFLICT (name) DO UPDATE SET txid = EXCLUDED.txid, id = EXCLUDED.id, updated_at = EXCLUDED.updated_at
        WHERE (o.txid, o.id) < (EXCLUDED.txid, EXCLUDED.id)`,
    );
  }

  /** The last event the relay has sent, if it has sent any. */
  async sentUpTo(): Promise<Cursor | undefined> {
    const mark = await this.database.run((db) => db.outboxOffset.findUnique({ where: { name: RELAY } }));
    return mark ? { txid: mark.txid, id: mark.id } : undefined;
  }

  /**
   * Settled events after `from`, in order: one organisation's when the caller acts for
   * one (the feed), every organisation's for the relay.
   */
  private settledAfter(from: Cursor, limit: number, excluding: string[] = []): Promise<OutboxRow[]> {
    const organizationId = currentOrganizationId() ?? null;
    return this.database.run((db) =>
      db.$queryRawUnsafe<OutboxRow[]>(
        `SELECT id, txid, event_id::text AS "eventId", event_type AS "eventType", key,
           organization_id::text AS "organizationId", payload, created_at AS "createdAt",
           trace_parent AS "traceParent"
         FROM outbox_events WHERE (txid, id) > ($1::bigint, $2::bigint) AND ${SETTLED}
           AND ($4::uuid IS NULL OR organization_id = $4::uuid) AND event_type <> ALL($5::text[])
         ORDER BY txid, id LIMIT $3`,
        from.txid,
        from.id,
        limit,
        organizationId,
        excluding,
      ),
    );
  }

  /** Events after the relay's mark: how many, and when the oldest was written. */
  async backlog(): Promise<{ unsent: number; oldest: Date | null }> {
    const from = (await this.sentUpTo()) ?? BEFORE_EVERYTHING;
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ unsent: number; oldest: Date | null }[]>`
      SELECT count(*)::int AS unsent, min(created_at) AS oldest FROM outbox_events
      WHERE (txid, id) > (${from.txid}::bigint, ${from.id}::bigint)`,
    );
    return row;
  }

  /**
   * Deletes sent events written before `before`, oldest first, a batch at a time; returns
   * how many. Events come in (txid, id) order, which follows their writing closely
   * enough: an old event behind a newer one waits for the next pass.
   */
  async deleteSentBefore(before: Date, batch = 10_000): Promise<number> {
    const sent = await this.sentUpTo();
    if (!sent) return 0;
    return this.database.run(
      (db) => db.$executeRaw`
      DELETE FROM outbox_events WHERE created_at < ${before} AND id IN (
        SELECT id FROM outbox_events WHERE (txid, id) <= (${sent.txid}::bigint, ${sent.id}::bigint)
        ORDER BY txid, id LIMIT ${batch})`,
    );
  }

  /**
   * Takes or renews the named lease for `ttlMs`; true when this owner holds it. A relay
   * that stops renewing loses it after the TTL and another replica takes over.
   */
  async holdLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const rows = await this.database.run(
      (db) => db.$queryRaw<{ owner: string }[]>`
      INSERT INTO relay_leases (name, owner, expires_at)
      VALUES (${name}, ${owner}, now() + ${ttlMs} * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
      WHERE relay_leases.owner = EXCLUDED.owner OR relay_leases.expires_at < now()
      RETURNING owner`,
    );
    return rows.length === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.database.run((db) => db.relayLease.deleteMany({ where: { name, owner } }));
  }
}
