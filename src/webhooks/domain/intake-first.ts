/** What the inbox worker knows when it is about to apply, in milliseconds of machine time. */
export interface IntakeFirstState {
  /** Deliveries being received by this process right now. */
  intakeInFlight: number;
  /** When the worker first held back since it last applied (undefined: it has not). */
  deferringSince: number | undefined;
  now: number;
  /** WEBHOOK_INBOX_MAX_DEFER_MS; 0 never defers. */
  maxDeferMs: number;
}

/**
 * Whether the inbox worker leaves the machine to intake a while longer. Both share the
 * same cores and the same database: applying while a carrier's burst is arriving halved
 * what intake took (bench:webhooks). So while a delivery is being received the worker
 * waits, but never longer than the bound, after which it applies whatever intake does.
 * With nothing being received it applies at once.
 */
export function defersToIntake({
  intakeInFlight,
  deferringSince,
  now,
  maxDeferMs,
}: IntakeFirstState): boolean {
  if (intakeInFlight === 0 || maxDeferMs === 0) return false;
  return deferringSince === undefined || now - deferringSince < maxDeferMs;
}
