import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { acrossOrganizations } from '../../database/data-scope';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { Metrics } from '../../metrics/metrics.service';
import { indicatorCondition, staleBoundary } from '../domain/indicator';
import { StaleLinesRepository, SWEEP_START } from '../persistence/stale-lines.repository';

/**
 * Time alone can turn a line ORANGE (no sighting for the window), and nothing else. This
 * finds the lines whose stored indicator is not ORANGE yet but whose rule now says so,
 * stores the new indicator and writes their events, a batch per transaction, in
 * set-based SQL. An advisory lock per range makes a second replica's sweep wait its
 * turn, after which it finds nothing left to do: each event is written once.
 */
@Injectable()
export class SweepStaleLines {
  constructor(
    private readonly staleLines: StaleLinesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Lines of every organisation go stale alike: the sweep acts across them. */
  execute(): Promise<number> {
    return acrossOrganizations('staleness sweep', () => this.sweep());
  }

  private async sweep(): Promise<number> {
    const now = this.clock.now();
    // Parts are swept side by side: the database and this process overlap their work.
    const parts = this.staleLines.parts();
    const swept = await Promise.all(
      Array.from({ length: parts }, (_, part) => this.sweepPart(now, part, parts)),
    );
    const total = swept.reduce((sum, count) => sum + count, 0);
    this.metrics.linesSwept.inc(total);
    return total;
  }

  private async sweepPart(now: Date, part: number, parts: number): Promise<number> {
    const orange = indicatorCondition('ORANGE', now, this.config.staleAfterDays);
    const seenBefore = staleBoundary(now, this.config.staleAfterDays);
    let total = 0;
    // Keyset pagination: each batch starts after the last line the previous one reached.
    let after = SWEEP_START;
    for (;;) {
      const batch = await this.staleLines.turnOrange({
        orange,
        seenBefore,
        now,
        part,
        parts,
        after,
        limit: this.config.sweepBatchSize,
      });
      total += batch.swept;
      if (batch.scannedTo === null) return total;
      after = batch.scannedTo;
    }
  }
}
