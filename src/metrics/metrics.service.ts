import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type ScrapeHook = () => Promise<void> | void;

/**
 * Every metric the service exposes, in one place. A registry per application (not
 * prom-client's global one), so two instances in one process (tests) keep theirs apart.
 * Gauges that describe state (backlog, breakers) are read when scraped, not kept up to
 * date on every change.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly scrapeHooks: ScrapeHook[] = [];

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route and status code, with their duration',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'mdn_outbox_published_events_total',
    help: 'Outbox events published to Kafka',
    registers: [this.registry],
  });

  readonly outboxUnsent = new Gauge({
    name: 'mdn_outbox_unsent_events',
    help: 'Outbox events not yet published',
    registers: [this.registry],
  });

  readonly outboxOldestAge = new Gauge({
    name: 'mdn_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox event not yet published (0 when none)',
    registers: [this.registry],
  });

  readonly breakerOpen = new Gauge({
    name: 'mdn_carrier_breaker_open',
    help: 'Whether the circuit breaker to an outbound party is open (1) or not (0)',
    labelNames: ['party'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'mdn_webhook_deliveries_total',
    help: 'Signed webhook deliveries taken in, by source and result (refusals show in http metrics)',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly optInTextsSent = new Counter({
    name: 'mdn_opt_in_texts_sent_total',
    help: 'Verizon opt-in texts handed to the SMS gateway',
    registers: [this.registry],
  });

  readonly linesSwept = new Counter({
    name: 'mdn_sweep_lines_turned_orange_total',
    help: 'Lines the staleness sweep turned ORANGE',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs before each scrape; a failing hook leaves its gauges as they were. */
  onScrape(hook: ScrapeHook): void {
    this.scrapeHooks.push(hook);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.scrapeHooks.map(async (hook) => hook()));
    return this.registry.metrics();
  }
}
