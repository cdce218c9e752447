import fc from 'fast-check';
import { NETWORK_KEYS, type Network } from '../../../src/lines/domain/networks';
import {
  NETWORK_STATUS_KEYS,
  NETWORK_STATUSES,
  type NetworkStatus,
} from '../../../src/lines/domain/network-status';
import {
  ALLOWED_MOVES,
  canMove,
  planTransition,
  recordSighting,
  TransitionNotAllowedError,
  type LineState,
} from '../../../src/lines/domain/status-machine';
import { tooltipFor } from '../../../src/lines/domain/tooltip';
import { utcDay } from '../../../src/lines/domain/utc-day';

const T0 = new Date('2026-11-01T08:00:00.000Z');
const T1 = new Date('2026-11-02T09:30:00.000Z');
const state = (network: Network, status: NetworkStatus, extra: Partial<LineState> = {}): LineState => ({
  network,
  status,
  reason: null,
  statusChangedAt: T0,
  lastSeenAt: null,
  ...extra,
});

describe('the Verizon opt-in path', () => {
  const path: NetworkStatus[] = [
    'NO_STATUS',
    'NEW_REQUEST',
    'OPT_IN_SENT',
    'INVALID_OPT_IN_RESPONSE',
    'OPT_IN_SENT',
    'OPT_IN_RESPONSE_RECEIVED',
    'PENDING_PROVISIONING',
    'ENABLED',
  ];
  it.each(path.slice(1).map((to, index) => [path[index], to]))('allows %s → %s', (from, to) => {
    expect(canMove('verizon', from, to)).toBe(true);
  });

  it.each([
    ['NEW_REQUEST', 'ENABLED'],
    ['OPT_IN_SENT', 'ENABLED'],
    ['OPT_IN_SENT', 'PENDING_PROVISIONING'],
    ['DISABLED', 'ENABLED'],
    ['NO_STATUS', 'OPT_IN_SENT'],
  ] as [NetworkStatus, NetworkStatus][])('refuses %s → %s', (from, to) => {
    expect(() => planTransition(state('verizon', from), { to, source: 'API', occurredAt: T1 })).toThrow(
      TransitionNotAllowedError,
    );
  });
});

describe('direct networks', () => {
  it.each(['att', 'tmobile'] as Network[])('%s never enters an opt-in status', (network) => {
    for (const from of NETWORK_STATUS_KEYS) {
      for (const to of NETWORK_STATUS_KEYS) {
        if (NETWORK_STATUSES[to].verizonOnly) expect(canMove(network, from, to)).toBe(false);
      }
    }
  });

  it('moves straight from No Status to Enabled', () => {
    expect(canMove('att', 'NO_STATUS', 'ENABLED')).toBe(true);
  });
});

describe('planTransition', () => {
  it('records from, to, reason, source and time, and enabling counts as a sighting', () => {
    const plan = planTransition(state('verizon', 'PENDING_PROVISIONING'), {
      to: 'ENABLED',
      source: 'CARRIER_CALLBACK',
      occurredAt: T1,
    });
    expect(plan).toMatchObject({
      from: 'PENDING_PROVISIONING',
      to: 'ENABLED',
      source: 'CARRIER_CALLBACK',
      occurredAt: T1,
    });
    expect(plan.next).toEqual({
      network: 'verizon',
      status: 'ENABLED',
      reason: null,
      statusChangedAt: T1,
      lastSeenAt: T1,
    });
  });

  it('keeps the failure reason and the raw detail', () => {
    const plan = planTransition(state('verizon', 'OPT_IN_SENT'), {
      to: 'INVALID_OPT_IN_RESPONSE',
      source: 'OPT_IN_REPLY',
      occurredAt: T1,
      detail: 'Yes.',
    });
    expect(plan.detail).toBe('Yes.');
    expect(plan.next.lastSeenAt).toBeNull();
  });

  it('a refused move says what is allowed instead', () => {
    try {
      planTransition(state('att', 'ENABLED'), { to: 'NO_STATUS', source: 'API', occurredAt: T1 });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(TransitionNotAllowedError);
      expect((error as TransitionNotAllowedError).details).toMatchObject({
        from: 'ENABLED',
        to: 'NO_STATUS',
        allowed: ['NOT_COMMUNICATING', 'DISABLED'],
      });
    }
  });

  it('property: a move is planned if and only if the table lists it, and never changes the network', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NETWORK_KEYS),
        fc.constantFrom(...NETWORK_STATUS_KEYS),
        fc.constantFrom(...NETWORK_STATUS_KEYS),
        (network, from, to) => {
          const listed = (ALLOWED_MOVES[network === 'verizon' ? 'opt-in' : 'direct'][from] ?? []).includes(
            to,
          );
          let planned = false;
          try {
            const plan = planTransition(state(network, from), { to, source: 'API', occurredAt: T1 });
            planned = true;
            expect(plan.next.network).toBe(network);
            expect(plan.next.status).toBe(to);
          } catch (error) {
            expect(error).toBeInstanceOf(TransitionNotAllowedError);
          }
          expect(planned).toBe(listed);
        },
      ),
    );
  });

  it('every status can reach DISABLED except DISABLED itself', () => {
    for (const network of NETWORK_KEYS) {
      for (const from of Object.keys(
        ALLOWED_MOVES[network === 'verizon' ? 'opt-in' : 'direct'],
      ) as NetworkStatus[]) {
        if (from !== 'DISABLED') expect(canMove(network, from, 'DISABLED')).toBe(true);
      }
    }
  });
});

describe('recordSighting', () => {
  it('moves last seen forward only', () => {
    const seen = recordSighting(state('att', 'ENABLED', { lastSeenAt: T1 }), T0);
    expect(seen.lastSeenAt).toEqual(T1);
    expect(recordSighting(state('att', 'ENABLED', { lastSeenAt: T0 }), T1).lastSeenAt).toEqual(T1);
  });
});

describe('tooltipFor', () => {
  it('shows the status, the date it changed, and the last sighting', () => {
    expect(tooltipFor(state('verizon', 'OPT_IN_SENT', { lastSeenAt: T1 }))).toBe(
      'Verizon: Opt-in Sent · since 2026-11-01 · last seen 2026-11-02',
    );
    expect(tooltipFor(state('verizon', 'UNABLE_TO_PROVISION', { reason: 'Invalid Number' }))).toBe(
      'Verizon: Unable to Provision (Invalid Number) · since 2026-11-01 · never seen',
    );
  });
});

describe('utcDay', () => {
  it('writes days as toISOString does, on any date of years 1000 to 9999', () => {
    const dates = fc.date({
      min: new Date('1000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(fc.property(dates, (date) => utcDay(date) === date.toISOString().slice(0, 10)));
  });
});
