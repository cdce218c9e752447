import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { retryOnStaleWrite } from '../../common/retry-on-stale-write';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import { sightingMovesLastSeen } from '../domain/sighting-events';
import { recordSighting } from '../domain/status-machine';
import type { LineRecord } from '../persistence/line-record';
import { LinesRepository } from '../persistence/lines.repository';

/**
 * The line was seen (archived traffic, a carrier confirmation): last-seen moves forward,
 * by at least the sighting precision.
 */
@Injectable()
export class RecordSighting {
  constructor(
    private readonly lines: LinesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  /** `line`, when the caller has just read it, saves reading it again on the first try. */
  execute(command: {
    userId: string;
    network: Network;
    seenAt: Date;
    line?: LineRecord;
  }): Promise<LineRecord> {
    let known = command.line;
    return retryOnStaleWrite(async () => {
      const line = known ?? (await this.lines.find(command.userId, command.network));
      known = undefined;
      if (!line) throw new NotFoundError(`User ${command.userId} has no ${command.network} line`);
      const seenAt = recordSighting(line, command.seenAt).lastSeenAt;
      if (seenAt === null || seenAt === line.lastSeenAt) return line;
      const indicator = computeIndicator(
        { ...line, lastSeenAt: seenAt },
        this.clock.now(),
        this.config.staleAfterDays,
      );
      const changed = line.indicator !== indicator.indicator;
      if (!sightingMovesLastSeen(line.lastSeenAt, seenAt, this.config.sightingPrecisionMs, changed))
        return line;
      return this.lines.recordSighting(line, seenAt, indicator, this.clock.now());
    });
  }
}
