import fc from 'fast-check';
import { sightingMovesLastSeen, sightingPublishes } from '../../../src/lines/domain/sighting-events';

const DAY_MS = 86_400_000;
const instant = fc
  .integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') })
  .map((ms) => new Date(ms));

describe('which sightings publish', () => {
  it('a line never published publishes its first sighting', () => {
    expect(sightingPublishes(null, new Date('2026-10-01T10:00:00Z'), false)).toBe(true);
  });

  it('a sighting on the day already shown publishes nothing; the next day does', () => {
    const shown = new Date('2026-10-01T00:00:05Z');
    expect(sightingPublishes(shown, new Date('2026-10-01T23:59:59Z'), false)).toBe(false);
    expect(sightingPublishes(shown, new Date('2026-10-02T00:00:00Z'), false)).toBe(true);
  });

  it('an indicator change always publishes', () => {
    fc.assert(fc.property(instant, instant, (shown, seen) => sightingPublishes(shown, seen, true)));
  });

  it('publishes exactly when the UTC day differs, so a day of sightings makes at most one event', () => {
    fc.assert(
      fc.property(
        instant,
        fc.array(fc.integer({ min: 0, max: DAY_MS - 1 }), { maxLength: 200 }),
        (start, offsets) => {
          const dayStart = Math.floor(start.getTime() / DAY_MS) * DAY_MS;
          let shown: Date | null = new Date(dayStart - 1);
          let published = 0;
          for (const offset of [...offsets].sort((a, b) => a - b)) {
            const seen = new Date(dayStart + offset);
            if (sightingPublishes(shown, seen, false)) {
              published += 1;
              shown = seen;
            }
          }
          return published === Math.min(1, offsets.length);
        },
      ),
    );
  });
});

describe('which sightings move last-seen', () => {
  const MINUTE = 60_000;

  it('a line never seen takes its first sighting', () => {
    fc.assert(fc.property(instant, (seen) => sightingMovesLastSeen(null, seen, MINUTE)));
  });

  it('never an older or equal sighting, whatever the precision', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: DAY_MS }),
        fc.nat(DAY_MS),
        (stored, back, precision) =>
          !sightingMovesLastSeen(stored, new Date(stored.getTime() - back), precision),
      ),
    );
  });

  it('a later one exactly when it is at least the precision later or on another UTC day', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 3 * DAY_MS }),
        fc.nat(DAY_MS),
        (stored, ahead, precision) => {
          const seen = new Date(stored.getTime() + ahead);
          const otherDay = seen.toISOString().slice(0, 10) !== stored.toISOString().slice(0, 10);
          return sightingMovesLastSeen(stored, seen, precision) === (ahead >= precision || otherDay);
        },
      ),
    );
  });

  it('examples: no precision, within a minute, across midnight', () => {
    const stored = new Date('2026-10-01T10:00:00Z');
    expect(sightingMovesLastSeen(stored, new Date('2026-10-01T10:00:00.001Z'), 0)).toBe(true);
    expect(sightingMovesLastSeen(stored, new Date('2026-10-01T10:00:59Z'), MINUTE)).toBe(false);
    expect(
      sightingMovesLastSeen(new Date('2026-10-01T23:59:30Z'), new Date('2026-10-02T00:00:10Z'), MINUTE),
    ).toBe(true);
  });
});

describe('a sighting that changes the indicator', () => {
  it('is written however near the stored one, if it is later', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: DAY_MS }), fc.nat(DAY_MS), (stored, ahead, precision) =>
        sightingMovesLastSeen(stored, new Date(stored.getTime() + ahead), precision, true),
      ),
    );
  });
});
