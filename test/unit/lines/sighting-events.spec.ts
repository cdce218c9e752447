import fc from 'fast-check';
import { sightingPublishes } from '../../../src/lines/domain/sighting-events';

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
