import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { storedTraceparent } from '../../tracing/current-trace';
import { OverloadedError } from '../../common/errors/domain-error';
import type { WebhooksConfig } from '../../config/config';
import { InjectConfig } from '../../config/config.module';
import { isRowRefusal } from '../../database/database-fault';
import { acrossOrganizations } from '../../database/data-scope';
import { GroupCommit } from '../../database/group-commit';
import { copyOf, FIRST } from '../domain/first-copies';
import type { DeliveryOutcome, InboxDelivery, StoredDelivery } from './inbox-delivery';

/**
 * INSERTs of received deliveries at the same time: two keep PostgreSQL and this process
 * both busy, and leave the pool to the rest of the service.
 */
const INTAKE_WRITERS = 2;

/**
 * The most deliveries in one INSERT: a burst's batches hold about as many as there are
 * senders' connections, and 200 bodies of the 64 KiB allowed make a 13 MB statement.
 */
const INTAKE_MAX_BATCH = 200;

/**
 * The most deliveries waiting for a writer, and how long each may wait (the pool's own
 * default wait for a connection): past either, a delivery is answered 503 with Retry-After,
 * as it was when each request waited for a connection of its own.
 */
const INTAKE_MAX_WAITING = 2_000;
const INTAKE_MAX_WAIT_MS = 5_000;

type Receipt = InboxDelivery & { traceParent: string | null };

/** A copy in a batch whose first copy was not stored: it goes through group commit again. */
const AGAIN = 'again';

/** One row's placeholders in the INSERT, its six parameters after the first `offset`. */
const receiptValues = (offset: number) =>
  `($${offset + 1}, $${offset + 2}, $${offset + 3}, $${offset + 4}::jsonb, $${offset + 5}, now(), $${offset + 6})`;

/**
 * The webhook inbox, on the `webhook_receipts` table that deduplicates deliveries.
 *
 * A request stores its verified delivery and answers once it is committed (deliveries
 * received together share the INSERT, see `intake`); the worker claims pending
 * deliveries and applies them. Two rules make this safe on N replicas:
 * - a delivery is claimed under a lease (`due_at`), so a worker that dies mid-way leaves
 *   it to be taken again once the lease ends: nothing is lost;
 * - a delivery is claimable only when no earlier pending delivery has its `order_key`
 *   (the number it is about), so deliveries about one number apply one at a time in
 *   arrival order, whichever replica holds them.
 * Every statement here uses the database's clock, not the service's: leases compare
 * times written by different replicas.
 */
@Injectable()
export class WebhookInboxRepository {
  /**
   * Deliveries received while both writers are busy share the next INSERT and its commit:
   * under a carrier's burst a commit is what PostgreSQL spent most on. Each request still
   * answers only once its own delivery is committed.
   */
  private readonly intake: GroupCommit<Receipt, boolean | typeof AGAIN>;

  constructor(
    private readonly database: DatabaseService,
    @InjectConfig('webhooks') config: WebhooksConfig,
  ) {
    const busy = () =>
      new OverloadedError(
        'Deliveries arrive faster than they can be stored; retry later',
        config.inbox.retryAfterSeconds,
      );
    this.intake = new GroupCommit(
      (batch) => acrossOrganizations('webhook intake', () => this.insert(batch)),
      {
        writers: INTAKE_WRITERS,
        maxBatch: INTAKE_MAX_BATCH,
        maxWaiting: INTAKE_MAX_WAITING,
        maxWaitMs: INTAKE_MAX_WAIT_MS,
        busy,
        splitOnError: isRowRefusal,
      },
    );
  }

  /**
   * Stores a delivery unless its payload id or its `webhook-id` is already known, and
   * resolves once it is committed. Returns false for a duplicate, whether its first copy
   * is applied or still pending.
   */
  async accept(delivery: InboxDelivery): Promise<boolean> {
    const stored = await this.intake.add({ ...delivery, traceParent: storedTraceparent() });
    return stored === AGAIN ? this.accept(delivery) : stored;
  }

  /**
   * One INSERT for a batch's first copies (see copyOf), in its order (so `seq` follows
   * it): true for each one stored. A later copy is a duplicate if its first copy was
   * stored, and is sent through group commit AGAIN if not.
   */
  private async insert(batch: Receipt[]): Promise<(boolean | typeof AGAIN)[]> {
    const copies = copyOf(batch);
    const rows = batch.filter((_, i) => copies[i] === FIRST);
    const stored = await this.database.queryAcrossOrganizations<{ source: string; payloadId: string }>(
      `INSERT INTO webhook_receipts (source, external_id, webhook_id, payload, order_key, due_at, trace_parent)
       VALUES ${rows.map((_, i) => receiptValues(6 * i)).join(', ')}
       ON CONFLICT DO NOTHING
       RETURNING source, external_id AS "payloadId"`,
      rows.flatMap((row) => [
        row.source,
        row.payloadId,
        row.webhookId,
        JSON.stringify(row.payload),
        row.orderKey,
        row.traceParent,
      ]),
    );
    const inserted = new Set(stored.map(({ source, payloadId }) => `${source} ${payloadId}`));
    const isStored = (row: Receipt) => inserted.has(`${row.source} ${row.payloadId}`);
    return batch.map((row, i) => {
      if (copies[i] === FIRST) return isStored(row);
      return isStored(batch[copies[i]]) ? false : AGAIN;
    });
  }

  /** Up to `limit` deliveries due, at most one per order key, leased for `leaseSeconds`. */
  claim(limit: number, leaseSeconds: number): Promise<StoredDelivery[]> {
    return this.database.run(
      (db) => db.$queryRaw<StoredDelivery[]>`
      WITH next AS (
        SELECT r.source, r.external_id FROM webhook_receipts r
        WHERE r.completed_at IS NULL AND r.due_at <= now()
          AND NOT EXISTS (
            SELECT 1 FROM webhook_receipts e
            WHERE e.completed_at IS NULL AND e.order_key = r.order_key AND e.seq < r.seq)
        ORDER BY r.seq
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      UPDATE webhook_receipts r
      SET due_at = now() + make_interval(secs => ${leaseSeconds}), attempts = r.attempts + 1
      FROM next WHERE r.source = next.source AND r.external_id = next.external_id
      RETURNING r.source, r.external_id AS "payloadId", r.payload, r.attempts, r.received_at AS "receivedAt",
                r.trace_parent AS "traceParent", r.order_key AS "orderKey", r.seq::text AS seq`,
    );
  }

  /**
   * For each claimed sighting (carrier `activity.seen`), the sightings that wait right
   * behind it, of the same number and carrier, with nothing else between: the claimed
   * one's holder applies the latest of them and completes them all with it. A sighting
   * only moves last-seen forward, so this is what applying them one by one would do;
   * 10,000 of one line took 10,000 passes, each a claim, an apply and a completion.
   * One statement for the whole batch, keyed by the claimed one's payload id.
   */
  async sightingsBehind(
    heads: StoredDelivery[],
    limit: number,
  ): Promise<Map<string, { payloadId: string; occurredAt: string }[]>> {
    if (heads.length === 0) return new Map();
    const keys = heads.map(({ payloadId, source, orderKey, seq }) => ({ payloadId, source, orderKey, seq }));
    const rows = await this.database.run(
      (db) => db.$queryRaw<{ head: string; payloadId: string; occurredAt: string }[]>`
      SELECT h."payloadId" AS head, r.external_id AS "payloadId", r.payload->>'occurredAt' AS "occurredAt"
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
        AS h("payloadId" text, source text, "orderKey" text, seq bigint)
      CROSS JOIN LATERAL (
        SELECT r.external_id, r.payload FROM webhook_receipts r
        WHERE r.completed_at IS NULL AND r.order_key = h."orderKey" AND r.seq > h.seq
          AND r.seq < COALESCE((
            SELECT min(o.seq) FROM webhook_receipts o
            WHERE o.completed_at IS NULL AND o.order_key = h."orderKey" AND o.seq > h.seq
              AND (o.source <> h.source OR o.payload->>'type' IS DISTINCT FROM 'activity.seen')),
            9223372036854775807)
        ORDER BY r.seq LIMIT ${limit}) r`,
    );
    const runs = new Map<string, { payloadId: string; occurredAt: string }[]>();
    for (const { head, payloadId, occurredAt } of rows) {
      const run = runs.get(head) ?? [];
      run.push({ payloadId, occurredAt });
      runs.set(head, run);
    }
    return runs;
  }

  /**
   * Gives failed deliveries back before their lease ends: each is due again after a
   * backoff that doubles with its attempts, from 100 ms up to the lease. A receipt that
   * overtook the text it answers is applied a moment later, not a lease later.
   */
  async release(failed: { source: string; payloadId: string; attempts: number }[], leaseSeconds: number) {
    if (failed.length === 0) return;
    await this.database.run(
      (db) => db.$executeRaw`
      UPDATE webhook_receipts r
      SET due_at = now() + make_interval(secs => LEAST(${leaseSeconds}::float8, 0.1 * power(2, LEAST(f.attempts, 20) - 1)))
      FROM jsonb_to_recordset(${JSON.stringify(failed)}::jsonb) AS f(source text, "payloadId" text, attempts int)
      WHERE r.source = f.source AND r.external_id = f."payloadId" AND r.completed_at IS NULL`,
    );
  }

  /** Marks deliveries done, each with how it ended, in one statement. */
  async complete(done: { source: string; payloadId: string; outcome: DeliveryOutcome }[]): Promise<void> {
    if (done.length === 0) return;
    await this.database.run(
      (db) => db.$executeRaw`
      UPDATE webhook_receipts r SET completed_at = now(), outcome = d.outcome, payload = NULL
      FROM jsonb_to_recordset(${JSON.stringify(done)}::jsonb)
        AS d(source text, "payloadId" text, outcome text)
      WHERE r.source = d.source AND r.external_id = d."payloadId" AND r.completed_at IS NULL`,
    );
  }

  /** The newest pending delivery's arrival order, or null: how far a pass drains during a burst. */
  async newestPendingSeq(): Promise<bigint | null> {
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ seq: string | null }[]>`
      SELECT max(seq)::text AS seq FROM webhook_receipts WHERE completed_at IS NULL`,
    );
    return row.seq === null ? null : BigInt(row.seq);
  }

  /** Pending deliveries and the age of the oldest, for back-pressure and metrics. */
  async backlog(): Promise<{ pending: number; oldestReceivedAt: Date | null }> {
    const [row] = await this.database.run(
      (db) => db.$queryRaw<{ pending: bigint; oldest: Date | null }[]>`
      SELECT count(*) AS pending, min(received_at) AS oldest FROM webhook_receipts WHERE completed_at IS NULL`,
    );
    return { pending: Number(row.pending), oldestReceivedAt: row.oldest };
  }

  /** Deletes up to `limit` applied receipts received before `before`; returns how many. */
  deleteCompletedBefore(before: Date, limit: number): Promise<number> {
    return this.database.run(
      (db) => db.$executeRaw`
      DELETE FROM webhook_receipts WHERE (source, external_id) IN (
        SELECT source, external_id FROM webhook_receipts
        WHERE received_at < ${before} AND completed_at IS NOT NULL LIMIT ${limit})`,
    );
  }
}
