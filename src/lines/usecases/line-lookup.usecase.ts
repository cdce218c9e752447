import { Injectable } from '@nestjs/common';
import type { Network } from '../domain/networks';
import type { Transition } from '../domain/status-machine';
import type { LineRecord } from '../persistence/line-record';

export type { LineRecord };
import { LinesRepository } from '../persistence/lines.repository';

/**
 * What callbacks and replies need of a line besides moving it: finding it by number,
 * and keeping in its history a word that was not applied.
 */
@Injectable()
export class LineLookup {
  constructor(private readonly lines: LinesRepository) {}

  findByMdn(mdn: string, network: Network): Promise<LineRecord | undefined> {
    return this.lines.findByMdn(mdn, network);
  }

  recordUnapplied(line: LineRecord, transition: Omit<Transition, 'next'>, why: string): Promise<void> {
    return this.lines.recordUnapplied(line, transition, why);
  }

  markOptedOut(line: LineRecord): Promise<void> {
    return this.lines.markOptedOut(line);
  }

  /** A carrier's answer to the request in flight that needs no move. */
  closeRequest(line: LineRecord, now: Date): Promise<void> {
    return this.lines.closeRequest(line, now);
  }
}
