import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../../common/clock';
import { PeriodicJob } from '../../common/periodic-job';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { Metrics } from '../../metrics/metrics.service';
import { INDICATORS } from '../domain/indicator';
import { NETWORK_STATUS_KEYS, NETWORK_STATUSES } from '../domain/network-status';
import { NETWORK_KEYS, networkKind } from '../domain/networks';
import { LineCountsRepository } from '../persistence/line-counts.repository';

/**
 * Lines per network × status and per network × indicator, counted from the database on
 * an interval (LINE_METRICS_INTERVAL_SECONDS) rather than at each scrape: the count reads
 * a whole index. Every replica counts and exports the same figures; dashboards take the
 * max per series. Series a network can have start at zero, so a status that empties shows
 * 0 rather than vanishing.
 */
@Injectable()
export class LineGaugesJob extends PeriodicJob {
  constructor(
    registry: SchedulerRegistry,
    @InjectConfig('lines') private readonly config: LinesConfig,
    private readonly counts: LineCountsRepository,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {
    super(registry, config.metricsIntervalSeconds * 1000);
  }

  /** Counts again; handles nothing (0), so the job logs no line per pass. */
  protected async pass(): Promise<number> {
    const now = this.clock.now();
    const rows = await this.counts.count(now, this.config.staleAfterDays);
    const byStatus = new Map<string, number>();
    const byIndicator = new Map<string, number>();
    for (const network of NETWORK_KEYS) {
      for (const status of NETWORK_STATUS_KEYS)
        if (networkKind(network) === 'opt-in' || !NETWORK_STATUSES[status].verizonOnly)
          byStatus.set(`${network}\n${status}`, 0);
      for (const indicator of INDICATORS) byIndicator.set(`${network}\n${indicator}`, 0);
    }
    for (const row of rows) {
      add(byStatus, `${row.network}\n${row.status}`, row.lines);
      add(byIndicator, `${row.network}\n${row.indicator}`, row.lines);
    }
    // Replaced in one synchronous stretch: a scrape sees the old counts or the new, never half.
    const { linesByStatus, linesByIndicator, linesCountedAt } = this.metrics;
    linesByStatus.reset();
    linesByIndicator.reset();
    for (const [key, lines] of byStatus) {
      const [network, status] = key.split('\n');
      linesByStatus.set({ network, status }, lines);
    }
    for (const [key, lines] of byIndicator) {
      const [network, indicator] = key.split('\n');
      linesByIndicator.set({ network, indicator }, lines);
    }
    linesCountedAt.set(now.getTime() / 1000);
    return 0;
  }
}

function add(counts: Map<string, number>, key: string, lines: number): void {
  counts.set(key, (counts.get(key) ?? 0) + lines);
}
