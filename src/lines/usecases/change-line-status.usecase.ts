import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { NotFoundError, StaleWriteError } from '../../common/errors/domain-error';
import { retryOnStaleWrite } from '../../common/retry-on-stale-write';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import { planTransition, type TransitionRequest } from '../domain/status-machine';
import type { LineFlowFields, LineRecord } from '../persistence/line-record';
import { LinesRepository } from '../persistence/lines.repository';
import type { Db } from '../../database/database.service';

export interface ChangeLineStatusCommand extends Omit<TransitionRequest, 'occurredAt'> {
  userId: string;
  network: Network;
  occurredAt?: Date;
  /** Flow bookkeeping to write with the move, computed from the line as read. */
  flow?: (line: LineRecord) => Partial<LineFlowFields>;
  /**
   * The line as the caller read it: the move lands only on that version, and a lost race
   * is the caller's to re-plan (StaleWriteError) rather than retried here.
   */
  expect?: { sequence: number };
  /** The move is made only if this holds for the line as it is now; otherwise nothing. */
  guard?: (line: LineRecord) => boolean;
  /** Writes of another module made in the move's transaction (the consent ledger's entries). */
  alongside?: (tx: Db) => Promise<void>;
}

/**
 * Moves one line to a new status through the state machine, recording the move. A lost
 * race is planned once more against the winner's state, unless the caller said which
 * version it planned against.
 */
@Injectable()
export class ChangeLineStatus {
  constructor(
    private readonly lines: LinesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  execute(command: ChangeLineStatusCommand): Promise<LineRecord | undefined> {
    const attempt = () => this.attempt(command);
    return command.expect ? attempt() : retryOnStaleWrite(attempt);
  }

  private async attempt(command: ChangeLineStatusCommand): Promise<LineRecord | undefined> {
    // A carrier's word or a step that read the line before its user was deleted finds
    // nothing now (a deletion is final), rather than moving a deleted user's line.
    const line = await this.lines.findLive(command.userId, command.network);
    if (!line) throw new NotFoundError(`User ${command.userId} has no live ${command.network} line`);
    if (command.expect && line.sequence !== command.expect.sequence) throw new StaleWriteError();
    if (command.guard && !command.guard(line)) return undefined;
    const transition = planTransition(line, {
      ...command,
      occurredAt: command.occurredAt ?? this.clock.now(),
    });
    const indicator = computeIndicator(transition.next, this.clock.now(), this.config.staleAfterDays);
    return this.lines.applyTransition({
      line,
      transition,
      indicator,
      flow: command.flow?.(line),
      alongside: command.alongside,
    });
  }
}
