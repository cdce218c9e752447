/** What the inbox worker knows when it is about to apply, in milliseconds of machine time. */
export interface IntakeFirstState {
  /** The most deliveries this process was receiving at once since the worker last looked. */
  concurrentIntake: number;
  /** When the worker first held back since it last applied (undefined: it has not). */
  deferringSince: number | undefined;
  now: number;
  /** WEBHOOK_INBOX_MAX_DEFER_MS; 0 never defers. */
  maxDeferMs: number;
}

/**
 * Deliveries received at once that mark a burst. One sender calling one at a time is
 * never held up by the worker; a burst keeps many requests open at once. "Any delivery
 * in flight" was too weak a test: a burst's requests leave moments with none inside,
 * the worker ran in them, and intake lost a third of its rate in some rounds.
 */
export const BURST_CONCURRENCY = 2;

/** Whether this many deliveries received at once are a burst. */
export function isBurst(concurrentIntake: number): boolean {
  return concurrentIntake >= BURST_CONCURRENCY;
}

/**
 * Whether the inbox worker leaves the machine to intake a while longer. Both share the
 * same cores and the same database: applying while a carrier's burst was arriving cut
 * what intake took to about 40 % of the floor (bench:webhooks). So during a burst the
 * worker waits, but never longer than the bound, after which it applies whatever intake
 * does. Otherwise it applies at once.
 */
export function defersToIntake({
  concurrentIntake,
  deferringSince,
  now,
  maxDeferMs,
}: IntakeFirstState): boolean {
  if (!isBurst(concurrentIntake) || maxDeferMs === 0) return false;
  return deferringSince === undefined || now - deferringSince < maxDeferMs;
}
