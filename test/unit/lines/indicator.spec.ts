import fc from 'fast-check';
import {
  computeIndicator,
  DAY_MS,
  INDICATORS,
  indicatorCondition,
  matchesCondition,
  type IndicatorInput,
} from '../../../src/lines/domain/indicator';
import { NETWORK_KEYS, type Network } from '../../../src/lines/domain/networks';
import { NETWORK_STATUS_KEYS, type NetworkStatus } from '../../../src/lines/domain/network-status';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const WINDOW = 30;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const line = (
  network: Network,
  status: NetworkStatus,
  extra: Partial<IndicatorInput> = {},
): IndicatorInput => ({
  network,
  status,
  reason: null,
  lastSeenAt: ago(DAY_MS),
  ...extra,
});

describe('computeIndicator: the table', () => {
  const rows: [string, IndicatorInput, string, string | null][] = [
    ['Verizon enabled, seen yesterday', line('verizon', 'ENABLED'), 'GREEN', null],
    ['Verizon New Request', line('verizon', 'NEW_REQUEST'), 'RED', 'New Request'],
    ['Verizon Opt-in Sent', line('verizon', 'OPT_IN_SENT'), 'RED', 'Opt-In Sent'],
    [
      'Verizon Invalid Opt-in Response',
      line('verizon', 'INVALID_OPT_IN_RESPONSE'),
      'RED',
      'Invalid Opt-In Response',
    ],
    [
      'Verizon Opt-in Response Received',
      line('verizon', 'OPT_IN_RESPONSE_RECEIVED'),
      'RED',
      'Opt-In Response Received',
    ],
    ['Verizon Pending provisioning', line('verizon', 'PENDING_PROVISIONING'), 'RED', 'Pending Provisioning'],
    ['Verizon Unable to Provision', line('verizon', 'UNABLE_TO_PROVISION'), 'RED', 'Unable to Provision'],
    [
      'Verizon Unable to Provision, Invalid Number',
      line('verizon', 'UNABLE_TO_PROVISION', { reason: 'Invalid Number' }),
      'RED',
      'Invalid Number',
    ],
    [
      'Verizon Unable to Provision, Remove Message Block',
      line('verizon', 'UNABLE_TO_PROVISION', { reason: 'Remove Message Block' }),
      'RED',
      'Remove Message Block',
    ],
    ['Verizon Disabled', line('verizon', 'DISABLED'), 'RED', 'Disabled'],
    ['Verizon No Status', line('verizon', 'NO_STATUS', { lastSeenAt: null }), 'RED', 'No Status'],
    ['Verizon Not Communicating', line('verizon', 'NOT_COMMUNICATING'), 'RED', 'Not Communicating'],
    [
      'Verizon Disabled and stale: RED wins',
      line('verizon', 'DISABLED', { lastSeenAt: ago(90 * DAY_MS) }),
      'RED',
      'Disabled',
    ],
    ['Verizon enabled, stale', line('verizon', 'ENABLED', { lastSeenAt: ago(31 * DAY_MS) }), 'ORANGE', null],
    [
      'Verizon enabled, exactly 30 days',
      line('verizon', 'ENABLED', { lastSeenAt: ago(30 * DAY_MS) }),
      'GREEN',
      null,
    ],
    [
      'Verizon enabled, 30 days + 1 ms',
      line('verizon', 'ENABLED', { lastSeenAt: ago(30 * DAY_MS + 1) }),
      'ORANGE',
      null,
    ],
    ['AT&T enabled', line('att', 'ENABLED'), 'GREEN', null],
    ['AT&T enabled, stale', line('att', 'ENABLED', { lastSeenAt: ago(45 * DAY_MS) }), 'ORANGE', null],
    ['AT&T No Status', line('att', 'NO_STATUS', { lastSeenAt: null }), 'NONE', null],
    ['AT&T Disabled', line('att', 'DISABLED'), 'NONE', null],
    ['AT&T Disabled, stale', line('att', 'DISABLED', { lastSeenAt: ago(31 * DAY_MS) }), 'ORANGE', null],
    ['T-Mobile Not Communicating', line('tmobile', 'NOT_COMMUNICATING'), 'NONE', null],
    ['T-Mobile enabled, never seen', line('tmobile', 'ENABLED', { lastSeenAt: null }), 'GREEN', null],
  ];

  it.each(rows)('%s', (_name, input, indicator, reason) => {
    expect(computeIndicator(input, NOW, WINDOW)).toEqual({ indicator, reason });
  });

  it('honours a configured window', () => {
    const seen = line('att', 'ENABLED', { lastSeenAt: ago(8 * DAY_MS) });
    expect(computeIndicator(seen, NOW, 7).indicator).toBe('ORANGE');
    expect(computeIndicator(seen, NOW, 30).indicator).toBe('GREEN');
  });
});

const arbitraryLine = fc.record({
  network: fc.constantFrom(...NETWORK_KEYS),
  status: fc.constantFrom(...NETWORK_STATUS_KEYS),
  reason: fc.option(fc.constantFrom('Invalid Number', 'Remove Message Block', 'carrier says no'), {
    nil: null,
  }),
  lastSeenAt: fc.option(
    fc.date({ min: new Date('2026-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }),
    {
      nil: null,
    },
  ),
});
const arbitraryNow = fc.date({
  min: new Date('2026-01-01'),
  max: new Date('2027-06-01'),
  noInvalidDate: true,
});

describe('computeIndicator: properties', () => {
  it('depends only on network, status, reason, last seen and now', () => {
    fc.assert(
      fc.property(arbitraryLine, arbitraryNow, fc.object(), (input, now, noise) => {
        const withNoise = { ...noise, ...input } as IndicatorInput;
        expect(computeIndicator(withNoise, now, WINDOW)).toEqual(computeIndicator({ ...input }, now, WINDOW));
      }),
    );
  });

  it('never turns ORANGE back into GREEN as time moves forward without a new sighting', () => {
    fc.assert(
      fc.property(arbitraryLine, arbitraryNow, fc.nat({ max: 400 * DAY_MS }), (input, now, later) => {
        const before = computeIndicator(input, now, WINDOW).indicator;
        const after = computeIndicator(input, new Date(now.getTime() + later), WINDOW).indicator;
        if (before === 'ORANGE') expect(after).toBe('ORANGE');
      }),
    );
  });

  it('is RED exactly for opt-in networks that are not enabled, and only those carry a reason', () => {
    fc.assert(
      fc.property(arbitraryLine, arbitraryNow, (input, now) => {
        const result = computeIndicator(input, now, WINDOW);
        expect(result.indicator === 'RED').toBe(input.network === 'verizon' && input.status !== 'ENABLED');
        expect(result.reason !== null).toBe(result.indicator === 'RED');
      }),
    );
  });

  it('agrees with the condition a database uses to select lines by indicator', () => {
    fc.assert(
      fc.property(arbitraryLine, arbitraryNow, (input, now) => {
        const actual = computeIndicator(input, now, WINDOW).indicator;
        for (const indicator of INDICATORS) {
          expect(matchesCondition(input, indicatorCondition(indicator, now, WINDOW))).toBe(
            indicator === actual,
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});
