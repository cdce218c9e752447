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

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
