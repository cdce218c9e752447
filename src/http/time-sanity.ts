import { ValidationFailedError } from '../common/errors/domain-error';

/**
 * A time from outside (a carrier callback, an SMS reply, a sighting) may run a little
 * ahead of our clock, but not further: a date in 9999 would pin a line's last status or
 * last sighting forever, and every later, real event would look older.
 */
export function refuseFutureTime(field: string, at: Date, now: Date, maxSkewMs: number): void {
  if (at.getTime() - now.getTime() > maxSkewMs) {
    throw new ValidationFailedError([
      {
        field,
        reason: `is more than ${Math.round(maxSkewMs / 60_000)} minutes in the future`,
      },
    ]);
  }
}
