import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { acrossOrganizations } from '../database/data-scope';
import { classifyDatabaseFault } from '../database/database-fault';

/**
 * A job run every few seconds through @nestjs/schedule. Runs never overlap within one
 * process; across replicas each job claims its rows (optimistic writes or row locks),
 * so two replicas firing at once do the work once. A job works for no request and no
 * organisation: it acts across all of them, on a path named for it.
 */
export abstract class PeriodicJob implements OnModuleInit, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private running?: Promise<void>;

  protected constructor(
    private readonly registry: SchedulerRegistry,
    private readonly everyMs: number,
  ) {}

  /** One pass over every organisation; returns how many items it handled. */
  run(): Promise<number> {
    return acrossOrganizations(this.constructor.name, () => this.pass());
  }

  /** The job's own pass. */
  protected abstract pass(): Promise<number>;

  /** What the timer runs: a pass, unless the job has a reason to hold back this time. */
  protected scheduled(): Promise<number> {
    return this.run();
  }

  onModuleInit(): void {
    const timer = setInterval(() => void this.tick(), this.everyMs);
    timer.unref();
    this.registry.addInterval(this.constructor.name, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', this.constructor.name))
      this.registry.deleteInterval(this.constructor.name);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.scheduled()
      .then((handled) => {
        if (handled > 0) this.logger.log(`Handled ${handled}`);
      })
      .catch((error: unknown) => this.failed(error))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /**
   * A database outage is logged where it is seen first, once (DatabaseOutage: a request or
   * the readiness probe, which an orchestrator calls every few seconds; and the pool when
   * it drops its connections), not by every job on every pass: a few seconds of outage
   * were a dozen lines, one per job and second.
   */
  private failed(error: unknown): void {
    const fault = classifyDatabaseFault(error);
    if (fault) this.logger.debug(`Job pass skipped: database ${fault.reason}`);
    else this.logger.error({ err: error }, 'Job pass failed');
  }
}
