import { networkKind, OPT_IN_NETWORKS, type Network } from './networks';
import { NETWORK_STATUSES, type NetworkStatus } from './network-status';

export const INDICATORS = ['GREEN', 'ORANGE', 'RED', 'NONE'] as const;
export type Indicator = (typeof INDICATORS)[number];

/** Everything the indicator may depend on, and nothing more. */
export interface IndicatorInput {
  network: Network;
  status: NetworkStatus;
  reason: string | null;
  lastSeenAt: Date | null;
}

export interface IndicatorResult {
  indicator: Indicator;
  /** Why a line is RED: its failure reason, else its status. */
  reason: string | null;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant before which a sighting counts as stale. */
export function staleBoundary(now: Date, staleAfterDays: number): Date {
  return new Date(now.getTime() - staleAfterDays * DAY_MS);
}

/**
 * The console's colour for one user and network at `now`. The order of the checks is the
 * rule: RED before ORANGE before GREEN.
 */
export function computeIndicator(line: IndicatorInput, now: Date, staleAfterDays: number): IndicatorResult {
  if (networkKind(line.network) === 'opt-in' && line.status !== 'ENABLED') {
    return { indicator: 'RED', reason: line.reason ?? NETWORK_STATUSES[line.status].redReason };
  }
  // Strictly more than the window: a sighting exactly 30 × 24 h ago is still fresh.
  if (line.lastSeenAt !== null && line.lastSeenAt.getTime() < staleBoundary(now, staleAfterDays).getTime()) {
    return { indicator: 'ORANGE', reason: null };
  }
  if (line.status === 'ENABLED') return { indicator: 'GREEN', reason: null };
  return { indicator: 'NONE', reason: null };
}

/**
 * The same rule as a condition over a line's columns, so a database can select lines by
 * indicator without loading them. A property test checks it agrees with computeIndicator.
 */
export type LineCondition =
  | { all: LineCondition[] }
  | { any: LineCondition[] }
  | { not: LineCondition }
  | { networkIn: readonly Network[] }
  | { statusIs: NetworkStatus }
  | { seenBefore: Date };

export function indicatorCondition(indicator: Indicator, now: Date, staleAfterDays: number): LineCondition {
  const red: LineCondition = { all: [{ networkIn: OPT_IN_NETWORKS }, { not: { statusIs: 'ENABLED' } }] };
  const stale: LineCondition = { seenBefore: staleBoundary(now, staleAfterDays) };
  const enabled: LineCondition = { statusIs: 'ENABLED' };
  switch (indicator) {
    case 'RED':
      return red;
    case 'ORANGE':
      return { all: [{ not: red }, stale] };
    case 'GREEN':
      return { all: [{ not: red }, { not: stale }, enabled] };
    case 'NONE':
      return { all: [{ not: red }, { not: stale }, { not: enabled }] };
  }
}

/** Evaluates a condition in memory (tests, and callers holding a line already). */
export function matchesCondition(line: IndicatorInput, condition: LineCondition): boolean {
  if ('all' in condition) return condition.all.every((part) => matchesCondition(line, part));
  if ('any' in condition) return condition.any.some((part) => matchesCondition(line, part));
  if ('not' in condition) return !matchesCondition(line, condition.not);
  if ('networkIn' in condition) return condition.networkIn.includes(line.network);
  if ('statusIs' in condition) return line.status === condition.statusIs;
  return line.lastSeenAt !== null && line.lastSeenAt.getTime() < condition.seenBefore.getTime();
}
