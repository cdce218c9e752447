import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { InjectConfig } from '../../config/config.module';
import type { LinesConfig } from '../../config/config';
import { computeIndicator } from '../domain/indicator';
import type { Network } from '../domain/networks';
import { sightingMovesLastSeen, sightingPublishes } from '../domain/sighting-events';
import { planTransition, recordSighting, TransitionNotAllowedError } from '../domain/status-machine';
import type { TransitionRequest } from '../domain/status-machine';
import type { LineFlowFields, LineRecord } from '../persistence/line-record';
import { LineBatchesRepository, lineKey, type PlannedChange } from '../persistence/line-batches.repository';

/** A change of one line in a batch, planned against the line as the batch read it. */
export type BatchChange = { line: LineRecord; traceParent: string | null } & (
  ({ kind: 'move'; flow: Partial<LineFlowFields> } & TransitionRequest) | { kind: 'sighting'; seenAt: Date }
);

/**
 * ChangeLineStatus and RecordSighting for many lines at once (the webhook inbox's
 * batches): each change planned by the same domain rules, all written in one
 * transaction. What the batch does not take (a move the status table refuses, a line
 * that changed since it was read) is left to the one-line use cases, which know how
 * to record a refusal or plan again.
 */
@Injectable()
export class ChangeLinesInBatch {
  constructor(
    private readonly batches: LineBatchesRepository,
    private readonly clock: Clock,
    @InjectConfig('lines') private readonly config: LinesConfig,
  ) {}

  /** The live lines on these numbers and networks, keyed by `key(mdn, network)`. */
  findByMdns(keys: { mdn: string; network: Network }[]): Promise<Map<string, LineRecord>> {
    return this.batches.findByMdns(keys);
  }

  key(mdn: string, network: Network): string {
    return lineKey(mdn, network);
  }

  /**
   * Applies the changes (at most one per line); returns, for each, whether it is done.
   * A sighting that moves nothing (older, or within the sighting precision) is done
   * without a write.
   */
  async apply(changes: BatchChange[]): Promise<boolean[]> {
    const now = this.clock.now();
    const planned = changes.map((change) => this.plan(change, now));
    const landed = new Set(
      (
        await this.batches.apply(
          planned.filter((plan) => plan !== undefined && plan !== 'unchanged'),
          now,
        )
      ).map((change) => change.line.id),
    );
    return planned.map((plan) => plan === 'unchanged' || (plan !== undefined && landed.has(plan.line.id)));
  }

  private plan(change: BatchChange, now: Date): PlannedChange | 'unchanged' | undefined {
    const { line, traceParent } = change;
    if (change.kind === 'sighting') {
      const seenAt = recordSighting(line, change.seenAt).lastSeenAt;
      if (seenAt === null || seenAt === line.lastSeenAt) return 'unchanged';
      const indicator = computeIndicator({ ...line, lastSeenAt: seenAt }, now, this.config.staleAfterDays);
      const changed = line.indicator !== indicator.indicator;
      if (!sightingMovesLastSeen(line.lastSeenAt, seenAt, this.config.sightingPrecisionMs, changed)) {
        return 'unchanged';
      }
      const publishes = sightingPublishes(line.eventLastSeenAt, seenAt, changed);
      return { line, next: { ...line, lastSeenAt: seenAt }, indicator, publishes, traceParent };
    }
    let transition;
    try {
      transition = planTransition(line, change);
    } catch (error) {
      if (error instanceof TransitionNotAllowedError) return undefined;
      throw error;
    }
    const next = { ...line, ...transition.next, ...change.flow };
    const indicator = computeIndicator(next, now, this.config.staleAfterDays);
    // As LinesRepository.publishChange: a move that changes nothing shown has no event.
    const publishes =
      line.status !== next.status || line.reason !== next.reason || line.indicator !== indicator.indicator;
    return { line, next, indicator, transition, publishes, traceParent };
  }
}
