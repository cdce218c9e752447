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
import { toKafkaMessage } from '../event-encoding';
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
    if (this.publisher) this.start();
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
      await this.publisher!.publish(rows.map((row) => toKafkaMessage(row, this.config.encoding)));
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
