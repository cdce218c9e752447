import { acrossOrganizations } from '../database/data-scope';
import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

type ScrapeHook = () => Promise<void> | void;

/** How a call to an outside party ended (mdn_carrier_call_duration_seconds' `outcome`). */
export const CALL_OUTCOMES = ['ok', 'refused', 'timeout', 'error', 'breaker_open'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/**
 * Opt-in texts by kind. `reminder`, `confirmation` and `help` are reserved for texts the
 * flow does not send yet; their series exist (at zero) so dashboards and alerts need no
 * change when it does.
 */
export const TEXT_KINDS = ['first', 'resend', 'reminder', 'confirmation', 'help'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

/** A subscriber's reply as classifyReply reads it, in label form. */
export const REPLY_CLASSES = ['yes', 'help', 'opt_out', 'invalid'] as const;
/** given: a YES the flow accepted; revoked: an opt-out keyword. */
export const CONSENT_CHANGES = ['given', 'revoked'] as const;

export const WEBHOOK_OUTCOMES = [
  'accepted',
  'duplicate',
  'refused_signature',
  'refused_timestamp',
  'refused_payload',
  'deferred',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * How a reconciler step ended: done; deferred (the party was unavailable, tried again
 * later); refused (the party said no for good; the round ends); stale (another writer
 * moved the line first; planned again); failed (anything else; the line stays due).
 */
export const STEP_OUTCOMES = ['done', 'deferred', 'refused', 'stale', 'failed'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

/**
 * Every metric the service exposes, in one place. A registry per application (not
 * prom-client's global one), so two instances in one process (tests) keep theirs apart.
 * Gauges that describe state (backlog, breakers, the reconciler's queue) are read when
 * scraped, not kept up to date on every change; line counts are refreshed on an
 * interval instead (they cost a scan). No label holds a user, an MDN or an organisation:
 * every label's values are a short list named here or in the network list.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly scrapeHooks: ScrapeHook[] = [];

  // HTTP (the service's own routes)
  readonly httpRequestDuration = this.histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route and status code, with their duration',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  // Outbound calls, per party: each network's carrier, sms-gateway, number-lookup
  readonly carrierCallDuration = this.histogram({
    name: 'mdn_carrier_call_duration_seconds',
    help: 'Calls to an outside party, retries included, by how they ended (ok, refused, timeout, error, breaker_open)',
    labelNames: ['party', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });

  readonly carrierCallRetries = this.counter({
    name: 'mdn_carrier_call_retries_total',
    help: 'Attempts made again after a transient failure (no answer, 429, 5xx)',
    labelNames: ['party'] as const,
  });

  readonly carrierBreakerState = this.gauge({
    name: 'mdn_carrier_breaker_state',
    help: 'The circuit breaker to an outside party: 1 for its current state (closed, open, half_open), 0 for the others',
    labelNames: ['party', 'state'] as const,
  });

  // The reconciler
  readonly reconcilerWaitingLines = this.gauge({
    name: 'mdn_reconciler_waiting_lines',
    help: 'Lines due for a reconciler step and not yet taken',
  });

  readonly reconcilerOldestWaitingAge = this.gauge({
    name: 'mdn_reconciler_oldest_waiting_age_seconds',
    help: 'How long the line longest due has waited for the reconciler (0 when none)',
  });

  readonly reconcilerSteps = this.counter({
    name: 'mdn_reconciler_steps_total',
    help: 'Reconciler steps by kind and outcome (done, deferred, refused, stale, failed)',
    labelNames: ['kind', 'outcome'] as const,
  });

  // The opt-in funnel
  readonly optInTextsSent = this.counter({
    name: 'mdn_opt_in_texts_sent_total',
    help: 'Opt-in texts handed to the SMS gateway, by kind (first, resend; reminder, confirmation, help reserved)',
    labelNames: ['kind'] as const,
  });

  readonly optInReplies = this.counter({
    name: 'mdn_opt_in_replies_total',
    help: 'Subscriber replies to the opt-in text, by classification (yes, opt_out, invalid)',
    labelNames: ['classification'] as const,
  });

  readonly optInConsentChanges = this.counter({
    name: 'mdn_opt_in_consent_changes_total',
    help: 'Consent given (a YES the flow accepted) and revoked (an opt-out keyword)',
    labelNames: ['change'] as const,
  });

  // Lines, counted from the database on an interval
  readonly linesByStatus = this.gauge({
    name: 'mdn_lines_by_status',
    help: 'Lines per network and status, as last counted',
    labelNames: ['network', 'status'] as const,
  });

  readonly linesByIndicator = this.gauge({
    name: 'mdn_lines_by_indicator',
    help: 'Lines per network and indicator (GREEN, ORANGE, RED, NONE), as last counted',
    labelNames: ['network', 'indicator'] as const,
  });

  readonly linesCountedAt = this.gauge({
    name: 'mdn_lines_counted_timestamp_seconds',
    help: 'When the line counts were last taken (Unix time)',
  });

  readonly linesSwept = this.counter({
    name: 'mdn_sweep_lines_turned_orange_total',
    help: 'Lines the staleness sweep turned ORANGE',
  });

  // Webhook intake
  readonly webhookDeliveries = this.counter({
    name: 'mdn_webhook_deliveries_total',
    help: 'Signed webhook deliveries at intake by source and outcome (accepted, duplicate, refused_signature, refused_timestamp, refused_payload, deferred: 503 while the inbox is full)',
    labelNames: ['source', 'outcome'] as const,
  });

  readonly webhookInboxApplied = this.counter({
    name: 'mdn_webhook_inbox_applied_total',
    help: 'Stored webhook deliveries the inbox worker finished, by source and outcome (applied, not_applied, not_found, refused, failed)',
    labelNames: ['source', 'outcome'] as const,
  });

  readonly webhookInboxPending = this.gauge({
    name: 'mdn_webhook_inbox_pending',
    help: 'Webhook deliveries stored and not yet applied',
  });

  readonly webhookInboxOldestAge = this.gauge({
    name: 'mdn_webhook_inbox_oldest_pending_age_seconds',
    help: 'Age of the oldest webhook delivery not yet applied (0 when none)',
  });

  // The outbox and its relay to Kafka
  readonly relayConfigured = this.gauge({
    name: 'mdn_outbox_relay_configured',
    help: 'Whether a Kafka relay is configured (1) or events only wait for GET /v1/events (0)',
  });

  readonly relayRunning = this.gauge({
    name: 'mdn_outbox_relay_running',
    help: "Whether this replica's relay loop runs (1) or not (0)",
  });

  readonly relayPublishing = this.gauge({
    name: 'mdn_outbox_relay_publishing',
    help: 'Whether this replica holds the relay lease and publishes (1) or stands by (0)',
  });

  readonly eventsPublished = this.counter({
    name: 'mdn_outbox_published_events_total',
    help: 'Outbox events published to Kafka',
  });

  readonly publishDuration = this.histogram({
    name: 'mdn_outbox_publish_duration_seconds',
    help: 'Time to publish one batch of outbox events to Kafka (acknowledged by all in-sync replicas)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  readonly publishFailures = this.counter({
    name: 'mdn_outbox_publish_failures_total',
    help: 'Batches Kafka did not take (sent again, in order, once it does)',
  });

  readonly outboxUnsent = this.gauge({
    name: 'mdn_outbox_unsent_events',
    help: 'Outbox events not yet published',
  });

  readonly outboxOldestAge = this.gauge({
    name: 'mdn_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox event not yet published (0 when none)',
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs before each scrape; a failing hook leaves its gauges as they were. */
  onScrape(hook: ScrapeHook): void {
    this.scrapeHooks.push(hook);
  }

  async render(): Promise<string> {
    // Metrics carry no organisation (no such label): what a hook reads, it reads across them.
    await acrossOrganizations('metrics scrape', () =>
      Promise.allSettled(this.scrapeHooks.map(async (hook) => hook())),
    );
    return this.registry.metrics();
  }

  private counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  private gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }

  private histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
    return new Histogram({ ...config, registers: [this.registry] });
  }
}
