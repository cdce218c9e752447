import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { inParallel } from '../../common/in-parallel';
import { PeriodicJob } from '../../common/periodic-job';
import { InjectConfig } from '../../config/config.module';
import type { WebhooksConfig } from '../../config/config';
import { Metrics } from '../../metrics/metrics.service';
import { defersToIntake, isBurst } from '../domain/intake-first';
import { runInStoredTrace, runInTrace } from '../../tracing/current-trace';
import { ApplyDelivery } from './apply-delivery';
import type { DeliveryOutcome, StoredDelivery } from './inbox-delivery';
import { InboxBacklog } from './inbox-backlog';
import { WebhookInboxRepository } from './webhook-inbox.repository';

/**
 * The longest a pass waits for a batch to gather. A pass holds the worker: whoever asks
 * for a pass meanwhile (a shutdown's drain, a test) waits for it, and a wake-up of many
 * seconds (WEBHOOK_INBOX_WAKE_MS goes up to 10,000) made each pass last that long.
 */
const GATHER_MAX_MS = 100;

/**
 * Applies stored webhook deliveries. A delivery stored here wakes it at once; the poll
 * finds deliveries another replica stored (or one whose worker died, once its lease ends).
 * Each pass claims a batch (at most one delivery per number, see the repository), applies
 * its carrier callbacks and sightings together in one transaction and the rest
 * concurrently, one by one, and marks them done together, until nothing is due.
 * Intake comes first: while a burst of deliveries is arriving at this process, wake-ups
 * and polls hold back for up to WEBHOOK_INBOX_MAX_DEFER_MS (see holdsBack).
 */
@Injectable()
export class WebhookInboxJob extends PeriodicJob implements OnApplicationBootstrap {
  private readonly inboxConfig: WebhooksConfig['inbox'];
  private current: Promise<number> = Promise.resolve(0);
  private busy = false;
  private queued?: Promise<number>;
  /** A wake-up came during a pass: it is taken up once the pass ends. */
  private wanted = false;
  /** When a wake-up or a poll first held back for intake (performance.now()); see holdsBack. */
  private deferringSince?: number;

  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('webhooks') config: WebhooksConfig,
    private readonly inbox: WebhookInboxRepository,
    private readonly apply: ApplyDelivery,
    private readonly backlog: InboxBacklog,
    private readonly metrics: Metrics,
  ) {
    super(registry, config.inbox.pollMs);
    this.inboxConfig = config.inbox;
  }

  onApplicationBootstrap(): void {
    this.backlog.onStored(() => this.wake());
    this.metrics.onScrape(async () => {
      const { pending, oldestReceivedAt } = await this.inbox.backlog();
      this.metrics.webhookInboxPending.set(pending);
      const age = oldestReceivedAt ? (Date.now() - oldestReceivedAt.getTime()) / 1000 : 0;
      this.metrics.webhookInboxOldestAge.set(Math.max(0, age));
    });
  }

  /**
   * Passes never overlap in one process. A run asked for during a pass is a pass that
   * starts after it (one, however many ask), so whoever asks after storing a delivery gets
   * a pass that sees it. During a burst a pass may end with deliveries stored after it
   * began still pending (see pass); they are applied by the next.
   */
  override run(): Promise<number> {
    if (this.busy) {
      this.queued ??= this.current
        .catch(() => 0)
        .then(() => {
          this.queued = undefined;
          return this.run();
        });
      return this.queued;
    }
    this.busy = true;
    // A wake-up comes from a request: the pass belongs to none.
    this.current = runInTrace(undefined, () => super.run()).finally(() => {
      this.busy = false;
      if (this.wanted) {
        this.wanted = false;
        this.backlog.wakeAgain();
      }
    });
    return this.current;
  }

  /** The poll: a pass, unless one is under way or intake has the machine (holdsBack). */
  protected override scheduled(): Promise<number> {
    return this.busy || this.holdsBack() ? Promise.resolve(0) : this.run();
  }

  /**
   * A wake-up from a stored delivery: a pass, unless one is under way (the wake-up comes
   * again when it ends) or intake has the machine (it comes again a moment later).
   */
  private wake(): void {
    if (this.busy) this.wanted = true;
    else if (this.holdsBack()) this.backlog.wakeAgain();
    else void this.run().catch(() => undefined);
  }

  /**
   * Intake first (domain/intake-first.ts): while a burst arrives at this process, the
   * worker holds back for up to WEBHOOK_INBOX_MAX_DEFER_MS, then applies whatever intake
   * does. Machine time, not the service's clock: it paces CPU, not business time.
   */
  private holdsBack(): boolean {
    const now = performance.now();
    const defer = defersToIntake({
      concurrentIntake: this.backlog.concurrentIntake(),
      deferringSince: this.deferringSince,
      now,
      maxDeferMs: this.inboxConfig.maxDeferMs,
    });
    this.deferringSince = defer ? (this.deferringSince ?? now) : undefined;
    return defer;
  }

  protected async pass(): Promise<number> {
    const { batch, concurrency, leaseSeconds } = this.inboxConfig;
    let handled = 0;
    /** During a burst, the newest delivery this pass applies before it hands back. */
    let drainTo: bigint | null | undefined;
    for (;;) {
      const claimed = await this.inbox.claim(batch, leaseSeconds);
      if (claimed.length === 0) return handled;
      const heads = await this.withSightingsBehind(claimed);
      const done: { source: string; payloadId: string; outcome: DeliveryOutcome }[] = [];
      const failed: { source: string; payloadId: string; attempts: number }[] = [];
      const finish = ({ delivery, absorbed }: Head, outcome: DeliveryOutcome) => {
        for (const payloadId of [delivery.payloadId, ...absorbed])
          done.push({ source: delivery.source, payloadId, outcome });
      };
      const together = await this.appliedTogether(heads.map((head) => head.delivery));
      const alone = heads.filter((head) => {
        const outcome = together.get(head.delivery.payloadId);
        if (outcome) finish(head, outcome);
        return !outcome;
      });
      await inParallel(alone, concurrency, async (head) => {
        const outcome = await this.applied(head.delivery);
        if (outcome) finish(head, outcome);
        else {
          const { source, payloadId, attempts } = head.delivery;
          failed.push({ source, payloadId, attempts });
        }
      });
      await this.inbox.complete(done);
      await this.inbox.release(failed, leaseSeconds);
      for (const { source, outcome } of done) this.metrics.webhookInboxApplied.inc({ source, outcome });
      handled += done.length + failed.length;
      if (claimed.length < batch) {
        if (this.intakeBusy()) {
          // A burst keeps arriving: hand the machine back to intake, but only once what
          // waited when it was seen is applied. A batch takes one delivery per number, so
          // a short batch is not yet caught up: a number's second delivery would have
          // waited a whole bound more. (One given back after a failure waits for the next.)
          drainTo ??= await this.inbox.newestPendingSeq();
          if (drainTo === null || claimed.every(({ seq }) => BigInt(seq) > drainTo!)) return handled;
        } else {
          // Caught up with a steady stream: let the next batch gather for as long as a stored
          // delivery's wake-up waits, instead of claiming again at once a few at a time.
          await sleep(Math.min(this.inboxConfig.wakeMs, GATHER_MAX_MS));
        }
      }
    }
  }

  /** A burst is arriving, and intake comes first (WEBHOOK_INBOX_MAX_DEFER_MS is not 0). */
  private intakeBusy(): boolean {
    return this.inboxConfig.maxDeferMs > 0 && isBurst(this.backlog.concurrentIntake());
  }

  /**
   * The claimed sightings with the runs of sightings waiting behind them (see
   * WebhookInboxRepository.sightingsBehind): each run applied once, as its latest.
   */
  private async withSightingsBehind(claimed: StoredDelivery[]): Promise<Head[]> {
    const sightings = claimed.filter(
      (head) => head.source !== 'sms' && head.payload.type === 'activity.seen',
    );
    const behind = await this.inbox.sightingsBehind(sightings, SIGHTINGS_PER_RUN);
    return claimed.map((head) => {
      const run = behind.get(head.payloadId);
      if (!run || run.length === 0) return { delivery: head, absorbed: [] };
      const latest = run.reduce(
        (max, { occurredAt }) => (Date.parse(occurredAt) > Date.parse(max) ? occurredAt : max),
        String(head.payload.occurredAt),
      );
      return {
        delivery: { ...head, payload: { ...head.payload, occurredAt: latest } },
        absorbed: run.map((sighting) => sighting.payloadId),
      };
    });
  }

  /**
   * The batch's carrier callbacks and sightings applied in one transaction (ApplyDelivery.executeMany),
   * by payload id. A failure of the whole (the database, a deadlock) leaves them all to
   * the one-at-a-time path, which retries each with its backoff.
   */
  private async appliedTogether(deliveries: StoredDelivery[]): Promise<Map<string, DeliveryOutcome>> {
    try {
      return await this.apply.executeMany(deliveries);
    } catch (error) {
      this.logger.warn({ err: error }, 'A batch of webhook deliveries failed; applying them one at a time');
      return new Map();
    }
  }

  /** The outcome, or nothing when it failed and is to be tried again after a backoff. */
  private async applied(delivery: StoredDelivery): Promise<DeliveryOutcome | undefined> {
    try {
      // In the trace of the request that stored it: its line moves and events carry it.
      return await runInStoredTrace(delivery.traceParent, () => this.apply.execute(delivery));
    } catch (error) {
      const last = delivery.attempts >= this.inboxConfig.maxAttempts;
      const ids = { source: delivery.source, payloadId: delivery.payloadId, attempts: delivery.attempts };
      if (last) {
        this.logger.error({ err: error, ...ids }, 'Webhook delivery failed on its last attempt; given up');
        return 'failed';
      }
      this.logger.warn({ err: error, ...ids }, 'Webhook delivery failed; tried again after a backoff');
      return undefined;
    }
  }
}

/** A claimed delivery, with the sightings behind it that are completed with it. */
interface Head {
  delivery: StoredDelivery;
  absorbed: string[];
}

/** Sightings waiting behind a claimed one that are applied with it, at most. */
const SIGHTINGS_PER_RUN = 1_000;
