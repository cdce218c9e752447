import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { isOutage, type ProbeFailureReason } from '../database/database-fault';
import { DatabaseOutage } from '../database/database-outage';
import { DatabaseService } from '../database/database.service';

/**
 * Readiness names the failing part and a coarse reason; anyone may read it, so it carries
 * none of the driver's text (hosts, ports, SQL). That detail is logged once instead: by
 * DatabaseOutage for an outage, here when another failure starts or changes.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('Readiness');
  private lastFailure?: ProbeFailureReason;

  constructor(
    private readonly database: DatabaseService,
    private readonly outage: DatabaseOutage,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const indicator = this.health.check('database');
    const fault = await this.database.probe();
    if (!fault) {
      this.lastFailure = undefined;
      return indicator.up({ kind: this.database.kind });
    }
    if (isOutage(fault)) this.outage.noticed(fault);
    else if (fault.reason !== this.lastFailure)
      this.logger.warn(
        { reason: fault.reason, detail: fault.detail },
        `Database check failed (${fault.reason})`,
      );
    this.lastFailure = fault.reason;
    return indicator.down({ kind: this.database.kind, reason: fault.reason });
  }
}
