import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { retryOnConflict } from '../../common/retry-on-conflict';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import { planTransition, type TransitionRequest } from '../domain/status-machine';
import type { LineFlowFields, LineRecord } from '../persistence/line-record';
import { LinesRepository } from '../persistence/lines.repository';

export interface ChangeLineStatusCommand extends Omit<TransitionRequest, 'occurredAt'> {
  userId: string;
  network: Network;
  occurredAt?: Date;
  /** Flow bookkeeping to write with the move, computed from the line as read. */
  flow?: (line: LineRecord) => Partial<LineFlowFields>;
}

/** Moves one line to a new status through the state machine, recording the move. */
@Injectable()
export class ChangeLineStatus {
  constructor(
    private readonly lines: LinesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  execute(command: ChangeLineStatusCommand): Promise<LineRecord> {
    return retryOnConflict(async () => {
      const line = await this.lines.find(command.userId, command.network);
      if (!line) throw new NotFoundError(`User ${command.userId} has no ${command.network} line`);
      const transition = planTransition(line, {
        ...command,
        occurredAt: command.occurredAt ?? this.clock.now(),
      });
      const indicator = computeIndicator(transition.next, this.clock.now(), this.config.staleAfterDays);
      return this.lines.applyTransition({ line, transition, indicator, flow: command.flow?.(line) });
    });
  }
}
