import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { acrossOrganizations } from '../../database/data-scope';
import { Clock } from '../../common/clock';
import { InjectConfig } from '../../config/config.module';
import type { OutboxConfig } from '../../config/config';
import { Metrics } from '../../metrics/metrics.service';
import { toKafkaMessages } from '../event-encoding';
import { EVENT_PUBLISHER, type EventPublisher } from './event-publisher';
import { OutboxRepository, type Cursor, type OutboxRow } from '../persistence/outbox.repository';

const LEASE = 'outbox-relay';
const LEASE_TTL_MS = 15_000;
const LEASE_RENEW_MS = 2_000;
const MAX_BACKOFF_MS = 5_000;
const CLEANUP_EVERY_MS = 60_000;

export interface RelayState {
  running: boolean;
  holdsLease: boolean;
  lastError?: string;
  lastPublishedAt?: Date;
}

/**
 * Publishes the outbox in order and moves its mark past what it sent. Nothing is
 * published inside a request: a change only writes its event row; this loop sends it
 * when it can. Kafka down: the rows wait (the backlog shows in readiness) and drain in
 * order later.
 *
 * Why each line's (and user's) events reach Kafka in sequence order, under any race:
 * 1. Rows go out in (txid, id) order, txid being the writing transaction's id
 *    (pg_current_xact_id()). A row is read only once it is settled, its txid below the
 *    oldest transaction still running (OutboxRepository), so no row can later appear
 *    before one already read: the order read is the order sent, and one key's messages
 *    keep it in their partition (idempotent producer, one batch after the other).
 * 2. Transaction ids follow the order transactions *asked* for one, not the order they
 *    reach a row: the sweep's multi-row UPDATE takes its id at its first line and may
 *    reach another line after a newer transaction changed and committed it. Had it then
 *    written that line's next sequence, the higher sequence would carry the lower txid
 *    and go out first (test/e2e/event-order-sweep.spec.ts showed it).
 * 3. So an event's sequence is taken on the line's (or user's) row itself, under its row
 *    lock, by a statement that also records its transaction id (event_txid) and refuses
 *    when the row's last event came from a newer transaction
 *    (src/lines/persistence/event-sequences.ts; the sweep does the same in its UPDATE and
 *    leaves such a line for its next pass; other writers plan again in a new
 *    transaction, whose id is newer than every committed one).
 * 4. Then for two events of one line with sequences n < m written by transactions A and
 *    B: if A = B, ids follow insertion order, which is sequence order; otherwise B took
 *    m after A committed n (the row lock) and saw A's id in event_txid, so txid(A) <
 *    txid(B) and A's row sorts first. When B's row is settled, A's (older, committed) is
 *    too, so the relay never reads B without A. Per-line order in (txid, id) is
 *    therefore sequence order, and the sequences have no gaps (they move only with an
 *    event, in the transaction that writes it).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly owner = `relay-${randomUUID()}`;
  private stopped = true;
  private loop?: Promise<void>;
  private failures = 0;
  private lastCleanup = 0;
  private wake?: () => void;
  private leaseRenewedAt = 0;
  /** The last row published: the next read starts after it. */
  private cursor?: Cursor;
  /** The batch after the cursor, read while the previous batch was being published. */
  private readAhead?: Promise<OutboxRow[]>;
  private marking?: Promise<void>;
  readonly state: RelayState = { running: false, holdsLease: false };

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher | null,
    private readonly clock: Clock,
    @InjectConfig('outbox') private readonly config: OutboxConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.publisher) return;
    // Not awaited: a broker that is down must not stop the service starting; the first
    // publish makes the topics then.
    this.publisher
      .prepare?.()
      .catch((error: unknown) =>
        this.logger.warn(`Kafka topics not checked at start-up: ${(error as Error).message}`),
      );
    this.start();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.state.running = true;
    // The relay publishes every organisation's events, in one order.
    this.loop = acrossOrganizations('outbox relay', () => this.run());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.readAhead?.catch(() => undefined);
    this.readAhead = undefined;
    await this.flushMarks().catch(() => undefined);
    this.state.running = false;
    if (this.state.holdsLease) {
      await acrossOrganizations('outbox relay', () => this.outbox.releaseLease(LEASE, this.owner)).catch(
        () => undefined,
      );
    }
    this.state.holdsLease = false;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.publisher?.close();
  }

  /**
   * One pass: publishes the next batch if this replica holds the lease; returns how many.
   * The database and Kafka work side by side: while a batch is published, the next one is
   * read and the relay's mark moves past the previous one. Batches go out one after the
   * other. If a mark fails, reading starts again after the stored mark: the unmarked
   * batches go out again, in their order, as after a crash (at least once, never
   * reordered).
   */
  relayOnce(): Promise<number> {
    return acrossOrganizations('outbox relay', () => this.publishNext());
  }

  private async publishNext(): Promise<number> {
    if (!this.publisher) return 0;
    if (!(await this.holdLease())) return 0;
    const rows = await (this.readAhead ?? this.outbox.unsent(this.config.batchSize, this.cursor));
    this.readAhead = undefined;
    if (rows.length === 0) {
      await this.flushMarks();
      return 0;
    }
    const last = rows[rows.length - 1];
    this.cursor = { txid: last.txid, id: last.id };
    this.readAhead = this.outbox.unsent(this.config.batchSize, this.cursor);
    // Observed here so a failure is not an unhandled rejection; the next pass reports it.
    this.readAhead.catch(() => undefined);
    await this.published(rows);
    this.state.lastPublishedAt = this.clock.now();
    await this.flushMarks();
    this.marking = this.outbox.markSentUpTo(this.cursor, this.clock.now());
    this.marking.catch(() => undefined);
    return rows.length;
  }

  /** One batch to Kafka, timed; a failure is counted and thrown (the batch goes again). */
  private async published(rows: OutboxRow[]): Promise<void> {
    const stopTimer = this.metrics.publishDuration.startTimer();
    try {
      await this.publisher!.publish(rows.flatMap((row) => toKafkaMessages(row, this.config.encoding)));
    } catch (error) {
      this.metrics.publishFailures.inc();
      throw error;
    }
    stopTimer();
    this.metrics.eventsPublished.inc(rows.length);
  }

  private async flushMarks(): Promise<void> {
    const marking = this.marking;
    this.marking = undefined;
    try {
      await marking;
    } catch (error) {
      // Read from the stored mark again: the unmarked batches go out once more.
      this.restartReading();
      throw error;
    }
  }

  /** Forgets where reading was: the next pass starts after the stored mark. */
  private restartReading(): void {
    this.cursor = undefined;
    this.readAhead = undefined;
  }

  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.state.holdsLease && now - this.leaseRenewedAt < LEASE_RENEW_MS) return true;
    this.state.holdsLease = await this.outbox.holdLease(LEASE, this.owner, LEASE_TTL_MS);
    this.leaseRenewedAt = now;
    if (!this.state.holdsLease) this.restartReading();
    return this.state.holdsLease;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let published = 0;
      try {
        published = await this.relayOnce();
        await this.cleanUp();
        if (this.failures > 0) this.logger.log('Publishing again after failures');
        this.failures = 0;
        this.state.lastError = undefined;
      } catch (error) {
        this.failures++;
        this.restartReading();
        this.state.lastError = (error as Error).message;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn(`Outbox relay failed (${this.failures} in a row): ${this.state.lastError}`);
        }
      }
      if (published < this.config.batchSize) await this.pause(this.delay());
    }
  }

  private delay(): number {
    if (this.failures === 0) return this.config.pollMs;
    return Math.min(MAX_BACKOFF_MS, this.config.pollMs * 2 ** Math.min(this.failures, 10));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async cleanUp(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = now;
    const before = new Date(now - this.config.retentionHours * 3_600_000);
    const deleted = await this.outbox.deleteSentBefore(before);
    if (deleted > 0) this.logger.log(`Removed ${deleted} sent events older than ${before.toISOString()}`);
  }
}
