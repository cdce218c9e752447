import fc from 'fast-check';
import { NETWORK_KEYS } from '../../../src/lines/domain/networks';
import { NETWORK_STATUS_KEYS } from '../../../src/lines/domain/network-status';
import type { InFlight } from '../../../src/provisioning-flow/domain/in-flight';
import { fromColumns, toColumns } from '../../../src/provisioning-flow/domain/in-flight';
import { nextStep, type FlowLine, type FlowRules } from '../../../src/provisioning-flow/domain/next-step';

const HOUR = 3_600_000;
const RULES: FlowRules = {
  maxSends: 5,
  resendIntervalMs: 24 * HOUR,
  answerTimeoutMs: HOUR,
  retryAfterMs: 30_000,
};
const NOW = new Date('2026-11-23T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const line = (overrides: Partial<FlowLine> = {}): FlowLine => ({
  id: 'line-1',
  network: 'verizon',
  status: 'NO_STATUS',
  desired: 'PROVISIONED',
  round: 1,
  begunRound: 0,
  settled: false,
  optInSends: 0,
  optInLastSentAt: null,
  optedOut: false,
  mobile: true,
  inFlight: { kind: 'NONE' },
  sequence: 3,
  ...overrides,
});

describe('nextStep, case by case', () => {
  it.each<[string, Partial<FlowLine>, string]>([
    ['nothing asked', { desired: null }, 'wait'],
    ['asked to be disabled (a deletion)', { desired: 'DISABLED' }, 'settle'],
    ['a new Verizon round', {}, 'begin_round'],
    ['a new direct round', { network: 'att' }, 'request_carrier'],
    [
      'a direct round whose request was answered',
      { network: 'att', begunRound: 1, status: 'ENABLED' },
      'settle',
    ],
    ['the first text', { begunRound: 1, status: 'NEW_REQUEST' }, 'text_subscriber'],
    [
      'a number that cannot be a mobile line',
      { begunRound: 1, status: 'NEW_REQUEST', mobile: false },
      'refuse_number',
    ],
    [
      'a resend inside the interval',
      { begunRound: 1, status: 'OPT_IN_SENT', optInSends: 1, optInLastSentAt: ago(HOUR) },
      'wait',
    ],
    [
      'a resend after the interval',
      { begunRound: 1, status: 'OPT_IN_SENT', optInSends: 1, optInLastSentAt: ago(25 * HOUR) },
      'text_subscriber',
    ],
    [
      'the cap reached',
      { begunRound: 1, status: 'OPT_IN_SENT', optInSends: 5, optInLastSentAt: ago(99 * HOUR) },
      'settle',
    ],
    [
      'opted out',
      {
        begunRound: 1,
        status: 'OPT_IN_SENT',
        optedOut: true,
        optInSends: 1,
        optInLastSentAt: ago(99 * HOUR),
      },
      'settle',
    ],
    ['a YES', { begunRound: 1, status: 'OPT_IN_RESPONSE_RECEIVED', optInSends: 1 }, 'request_carrier'],
    ['enabled', { begunRound: 1, status: 'ENABLED' }, 'settle'],
    ['settled', { begunRound: 1, status: 'ENABLED', settled: true }, 'wait'],
    [
      'a call recorded a moment ago',
      { inFlight: { kind: 'CARRIER_REQUEST', phase: 'SENDING', key: 'k', since: ago(1000) } },
      'wait',
    ],
    [
      'a call whose outcome was lost',
      { inFlight: { kind: 'OPT_IN_TEXT', phase: 'SENDING', key: 'k', since: ago(60_000) } },
      'send_again',
    ],
    [
      'a carrier that owes an answer',
      { inFlight: { kind: 'CARRIER_REQUEST', phase: 'ACCEPTED', key: 'k', since: ago(1000) } },
      'wait',
    ],
    [
      'a carrier silent too long',
      { inFlight: { kind: 'CARRIER_REQUEST', phase: 'ACCEPTED', key: 'k', since: ago(2 * HOUR) } },
      'give_up_waiting',
    ],
  ])('%s: %s', (_label, overrides, kind) => {
    expect(nextStep(line(overrides), NOW, RULES).kind).toBe(kind);
  });
});

const inFlights: fc.Arbitrary<InFlight> = fc.oneof(
  fc.constant<InFlight>({ kind: 'NONE' }),
  fc
    .record({ since: fc.date({ min: ago(48 * HOUR), max: NOW, noInvalidDate: true }) })
    .map(({ since }): InFlight => ({ kind: 'OPT_IN_TEXT', phase: 'SENDING', key: 't', since })),
  fc
    .record({
      phase: fc.constantFrom('SENDING' as const, 'ACCEPTED' as const),
      since: fc.date({ min: ago(48 * HOUR), max: NOW, noInvalidDate: true }),
    })
    .map(({ phase, since }): InFlight => ({ kind: 'CARRIER_REQUEST', phase, key: 'c', since })),
);

const lines: fc.Arbitrary<FlowLine> = fc
  .record({
    network: fc.constantFrom(...NETWORK_KEYS),
    status: fc.constantFrom(...NETWORK_STATUS_KEYS),
    desired: fc.constantFrom('PROVISIONED' as const, 'DISABLED' as const, null),
    round: fc.integer({ min: 0, max: 3 }),
    begunRound: fc.integer({ min: 0, max: 3 }),
    settled: fc.boolean(),
    optInSends: fc.integer({ min: 0, max: 7 }),
    optInLastSentAt: fc.option(fc.date({ min: ago(72 * HOUR), max: NOW, noInvalidDate: true })),
    optedOut: fc.boolean(),
    mobile: fc.boolean(),
    inFlight: inFlights,
  })
  .map((fields) => line(fields));

describe('nextStep, for every line', () => {
  it('never texts past the cap, inside the interval, or after an opt-out', () => {
    fc.assert(
      fc.property(lines, (candidate) => {
        const step = nextStep(candidate, NOW, RULES);
        if (step.kind !== 'text_subscriber') return;
        expect(candidate.optedOut).toBe(false);
        expect(candidate.mobile).toBe(true);
        expect(candidate.optInSends).toBeLessThan(RULES.maxSends);
        expect(step.count).toBe(candidate.optInSends + 1);
        if (candidate.optInSends > 0 && candidate.optInLastSentAt) {
          expect(NOW.getTime() - candidate.optInLastSentAt.getTime()).toBeGreaterThanOrEqual(
            RULES.resendIntervalMs,
          );
        }
      }),
    );
  });

  it('never starts a second call while one is outstanding', () => {
    fc.assert(
      fc.property(lines, (candidate) => {
        const step = nextStep(candidate, NOW, RULES);
        if (candidate.inFlight.kind === 'NONE') return;
        expect(['text_subscriber', 'request_carrier', 'begin_round']).not.toContain(step.kind);
      }),
    );
  });

  it('texts only on opt-in networks, and acts only on lines asked to be provisioned', () => {
    fc.assert(
      fc.property(lines, (candidate) => {
        const step = nextStep(candidate, NOW, RULES);
        if (step.kind === 'text_subscriber' || step.kind === 'begin_round')
          expect(candidate.network).toBe('verizon');
        if (candidate.desired !== 'PROVISIONED') expect(['wait', 'settle']).toContain(step.kind);
      }),
    );
  });

  it('waits only for a later time, and depends on nothing but its inputs', () => {
    fc.assert(
      fc.property(lines, (candidate) => {
        const step = nextStep(candidate, NOW, RULES);
        expect(nextStep(structuredClone(candidate), new Date(NOW), RULES)).toEqual(step);
        if (step.kind === 'wait' && step.until) expect(step.until.getTime()).toBeGreaterThan(NOW.getTime());
      }),
    );
  });

  it('keeps what is in flight whole through its columns', () => {
    fc.assert(
      fc.property(inFlights, (inFlight) => expect(fromColumns(toColumns(inFlight))).toEqual(inFlight)),
    );
  });
});
