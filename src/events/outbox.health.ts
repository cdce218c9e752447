import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { ReadinessChecks } from '../health/readiness-checks';
import { Metrics } from '../metrics/metrics.service';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * Readiness and metrics show the outbox backlog and the age of its oldest unsent event. A
 * growing backlog degrades the service but does not take it out of the load balancer:
 * requests still work and nothing is lost.
 */
@Injectable()
export class OutboxHealth implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly health: HealthIndicatorService,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => {
      const { unsent, oldestAgeSeconds } = await this.backlog();
      this.metrics.outboxUnsent.set(unsent);
      this.metrics.outboxOldestAge.set(oldestAgeSeconds);
    });
    this.readiness.register(async () => {
      const indicator = this.health.check('events');
      const backlog = await this.backlog().catch((error: Error) => error);
      if (backlog instanceof Error)
        return indicator.down({ message: `outbox unreadable: ${backlog.message}` });
      const { unsent, oldestAgeSeconds } = backlog;
      const details = {
        kafka: this.config.events.kafka ? 'configured' : 'not configured (events kept for GET /v1/events)',
        relay: this.relay.state.running ? (this.relay.state.holdsLease ? 'publishing' : 'standby') : 'off',
        unsent,
        oldestUnsentAgeSeconds: Math.round(oldestAgeSeconds),
        lastError: this.relay.state.lastError,
      };
      const late = this.config.events.kafka && oldestAgeSeconds > this.config.events.maxAgeSeconds;
      return late ? indicator.degraded(details) : indicator.up(details);
    });
  }

  private async backlog(): Promise<{ unsent: number; oldestAgeSeconds: number }> {
    const { unsent, oldest } = await this.outbox.backlog();
    const oldestAgeSeconds = oldest ? Math.max(0, (this.clock.now().getTime() - oldest.getTime()) / 1000) : 0;
    return { unsent, oldestAgeSeconds };
  }
}
