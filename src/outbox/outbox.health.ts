import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../common/clock';
import { InjectConfig } from '../config/config.module';
import type { OutboxConfig } from '../config/config';
import { classifyDatabaseFault } from '../database/database-fault';
import { acrossOrganizations } from '../database/data-scope';
import { DatabaseOutage } from '../database/database-outage';
import { ReadinessChecks } from '../health/readiness-checks';
import { Metrics } from '../metrics/metrics.service';
import { OutboxRelay } from './relay/outbox-relay';
import { OutboxRepository } from './persistence/outbox.repository';

/**
 * Readiness and metrics show the outbox backlog and the age of its oldest unsent event. A
 * growing backlog degrades the service but does not take it out of the load balancer:
 * requests still work and nothing is lost.
 *
 * Anyone may read readiness, so it gives coarse reasons only; what the driver or Kafka
 * said is in the log (the relay logs its own failures, this logs an unreadable outbox).
 */
@Injectable()
export class OutboxHealth implements OnModuleInit {
  private readonly logger = new Logger(OutboxHealth.name);
  private unreadable = false;

  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly health: HealthIndicatorService,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @InjectConfig('outbox') private readonly config: OutboxConfig,
    private readonly metrics: Metrics,
    private readonly outage: DatabaseOutage,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => {
      // Set first: the backlog query may fail (database down) and leave its gauges as they were.
      this.metrics.relayConfigured.set(this.config.kafka ? 1 : 0);
      this.metrics.relayRunning.set(this.relay.state.running ? 1 : 0);
      this.metrics.relayPublishing.set(this.relay.state.running && this.relay.state.holdsLease ? 1 : 0);
      const { unsent, oldestAgeSeconds } = await this.backlog();
      this.metrics.outboxUnsent.set(unsent);
      this.metrics.outboxOldestAge.set(oldestAgeSeconds);
    });
    this.readiness.register(async () => {
      const indicator = this.health.check('events');
      // Readiness is the service's, not an organisation's: the backlog of all of them.
      const backlog = await acrossOrganizations('readiness', () => this.backlog()).catch(
        (error: unknown) => ({
          error,
        }),
      );
      if ('error' in backlog)
        return indicator.down({ outbox: 'unreadable', reason: this.unreadableReason(backlog.error) });
      this.unreadable = false;
      const { unsent, oldestAgeSeconds } = backlog;
      const details = {
        kafka: this.config.kafka ? 'configured' : 'not configured (events kept for GET /v1/events)',
        relay: this.relay.state.running ? (this.relay.state.holdsLease ? 'publishing' : 'standby') : 'off',
        unsent,
        oldestUnsentAgeSeconds: Math.round(oldestAgeSeconds),
        lastError: this.relay.state.lastError === undefined ? undefined : this.relayFailure(),
      };
      const late = this.config.kafka && oldestAgeSeconds > this.config.maxAgeSeconds;
      return late ? indicator.degraded(details) : indicator.up(details);
    });
  }

  /** A database outage is logged once by DatabaseOutage; another failure once here. */
  private unreadableReason(error: unknown): string {
    const fault = classifyDatabaseFault(error);
    if (fault) this.outage.noticed(fault);
    else if (!this.unreadable) this.logger.warn({ err: error }, 'Outbox unreadable');
    this.unreadable = true;
    return fault ? `database ${fault.reason}` : 'failing';
  }

  /** The relay keeps only the message of its last failure: which side failed is all that is shown. */
  private relayFailure(): string {
    return this.outage.ongoing ? 'database unavailable' : 'relay failing';
  }

  private async backlog(): Promise<{ unsent: number; oldestAgeSeconds: number }> {
    const { unsent, oldest } = await this.outbox.backlog();
    const oldestAgeSeconds = oldest ? Math.max(0, (this.clock.now().getTime() - oldest.getTime()) / 1000) : 0;
    return { unsent, oldestAgeSeconds };
  }
}
