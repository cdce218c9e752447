import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import type { WebhooksConfig } from '../../config/config';
import { WebhookInboxRepository } from './webhook-inbox.repository';

/** How often the pending count is read again: often enough to stop a burst, rarely enough to cost nothing. */
const REFRESH_MS = 500;

/** How soon a worker that held back for intake looks again. */
const RECHECK_MS = 20;

/**
 * The inbox's depth as intake sees it: a count read at most every REFRESH_MS (never on a
 * request's path), so a request pays nothing for the check. Also the wake-up from a
 * stored delivery to this process's worker, and how many deliveries are being received
 * (the worker leaves the machine to intake meanwhile, see domain/intake-first.ts).
 */
@Injectable()
export class InboxBacklog {
  private pending = 0;
  private readAt = 0;
  private reading?: Promise<void>;
  private readonly listeners: (() => void)[] = [];
  private wake?: NodeJS.Timeout;
  private receivingNow = 0;
  private peak = 0;

  constructor(
    @InjectConfig('webhooks') private readonly config: WebhooksConfig,
    private readonly inbox: WebhookInboxRepository,
  ) {}

  /** True while the last count read is past the configured depth; starts a new read when due. */
  isFull(): boolean {
    if (Date.now() - this.readAt >= REFRESH_MS && !this.reading) {
      this.reading = this.inbox
        .backlog()
        .then(({ pending }) => {
          this.pending = pending;
        })
        .catch(() => undefined)
        .finally(() => {
          this.readAt = Date.now();
          this.reading = undefined;
        });
    }
    return this.pending >= this.config.inbox.maxBacklog;
  }

  get retryAfterSeconds(): number {
    return this.config.inbox.retryAfterSeconds;
  }

  /**
   * The most deliveries this process was receiving (verifying and storing) at once since
   * the last call, or now; each call starts a new window. See domain/intake-first.ts.
   */
  concurrentIntake(): number {
    const peak = Math.max(this.peak, this.receivingNow);
    this.peak = this.receivingNow;
    return peak;
  }

  /** Runs a delivery's intake, counted in `concurrentIntake` while it lasts. */
  async receiving<T>(intake: () => Promise<T>): Promise<T> {
    this.peak = Math.max(this.peak, ++this.receivingNow);
    try {
      return await intake();
    } finally {
      this.receivingNow--;
    }
  }

  onStored(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * A delivery was stored: wakes the worker after WEBHOOK_INBOX_WAKE_MS, once for all the
   * deliveries stored meanwhile. Under load a pass then claims many at a time instead of
   * one pass (two statements) per delivery.
   */
  stored(): void {
    this.arm(this.config.inbox.wakeMs);
  }

  /**
   * The worker held back or was busy: wakes it again a moment later. Never sooner than
   * RECHECK_MS, so a wake-up of 0 ms does not spin while intake has the machine.
   */
  wakeAgain(): void {
    this.arm(Math.max(this.config.inbox.wakeMs, RECHECK_MS));
  }

  private arm(ms: number): void {
    if (this.wake) return;
    this.wake = setTimeout(() => {
      this.wake = undefined;
      for (const listener of this.listeners) listener();
    }, ms);
    this.wake.unref();
  }
}
