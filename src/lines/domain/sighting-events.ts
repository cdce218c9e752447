import { utcDay } from './utc-day';

/**
 * Whether a sighting publishes an event. The console shows last-seen by day (the tooltip's
 * "last seen 2026-10-01"), so an event is due when the day the line's last event showed
 * is no longer the day it was seen, or when the indicator changes (ORANGE back to GREEN).
 * A carrier that reports every archived message (thousands a day) publishes once a day.
 */
export function sightingPublishes(
  publishedLastSeenAt: Date | null,
  lastSeenAt: Date,
  indicatorChanged: boolean,
): boolean {
  if (indicatorChanged) return true;
  return publishedLastSeenAt === null || utcDay(publishedLastSeenAt) !== utcDay(lastSeenAt);
}

/**
 * Whether a sighting is worth a write of the line. A carrier reports a busy line with
 * every message it archives, many times a minute; last-seen matters to the day (the
 * console) and to the 30-day staleness window, so a sighting within `precisionMs` of the
 * stored one, on the same UTC day, changes nothing anyone reads and is not written, unless
 * it changes the indicator (ORANGE back to GREEN). An older sighting never is.
 */
export function sightingMovesLastSeen(
  lastSeenAt: Date | null,
  seenAt: Date,
  precisionMs: number,
  indicatorChanged = false,
): boolean {
  if (lastSeenAt === null) return true;
  if (seenAt.getTime() <= lastSeenAt.getTime()) return false;
  if (indicatorChanged) return true;
  return seenAt.getTime() - lastSeenAt.getTime() >= precisionMs || utcDay(seenAt) !== utcDay(lastSeenAt);
}
