import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DatabaseFault } from './database-fault';
import { DatabaseService } from './database.service';

const PROBE_EVERY_MS = 1_000;

interface Outage {
  startedAt: number;
  refused: number;
}

/**
 * Turns a database outage into two log lines, one when it starts (with what the driver
 * said) and one when it ends (with how long it lasted and how many requests were
 * refused), instead of a stack for every refused request. While it lasts, the database
 * is pinged every second; the first answer ends it.
 */
@Injectable()
export class DatabaseOutage implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private current?: Outage;
  private timer?: NodeJS.Timeout;
  private probing = false;
  private destroyed = false;

  constructor(private readonly database: DatabaseService) {}

  get ongoing(): boolean {
    return this.current !== undefined;
  }

  /** A request was answered 503 because of `fault`. */
  refused(fault: DatabaseFault): void {
    this.noticed(fault);
    if (this.current) this.current.refused += 1;
  }

  /** Something found the database unreachable: starts an outage unless one is on. */
  noticed(fault: DatabaseFault): void {
    if (this.current || this.destroyed) return;
    this.current = { startedAt: performance.now(), refused: 0 };
    this.logger.warn(
      { reason: fault.reason, detail: fault.detail },
      `Database unavailable (${fault.reason}): requests get 503 until it answers again`,
    );
    this.timer = setInterval(() => void this.probe(), PROBE_EVERY_MS);
    // The probe must never be what keeps the process alive.
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    clearInterval(this.timer);
  }

  private async probe(): Promise<void> {
    if (this.probing || !this.current) return;
    this.probing = true;
    const fault = await this.database.probe();
    this.probing = false;
    if (!fault && !this.destroyed) this.end();
  }

  private end(): void {
    const outage = this.current;
    if (!outage) return;
    clearInterval(this.timer);
    this.current = undefined;
    const downForMs = Math.round(performance.now() - outage.startedAt);
    this.logger.log(
      { refused: outage.refused, downForMs },
      `Database reachable again after ${(downForMs / 1000).toFixed(1)} s; ${outage.refused} requests were refused`,
    );
  }
}
