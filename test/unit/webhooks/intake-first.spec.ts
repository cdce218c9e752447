import fc from 'fast-check';
import { defersToIntake, type IntakeFirstState } from '../../../src/webhooks/domain/intake-first';

const states = fc.record<IntakeFirstState>({
  intakeInFlight: fc.nat(100),
  deferringSince: fc.option(fc.nat(1_000_000), { nil: undefined }),
  now: fc.nat(2_000_000),
  maxDeferMs: fc.nat(600_000),
});

describe('the inbox worker leaving the machine to intake', () => {
  it('never holds back when nothing is being received', () => {
    fc.assert(fc.property(states, (state) => !defersToIntake({ ...state, intakeInFlight: 0 })));
  });

  it('never holds back when the bound is 0', () => {
    fc.assert(fc.property(states, (state) => !defersToIntake({ ...state, maxDeferMs: 0 })));
  });

  it('never holds back once it has for the bound, however busy intake is', () => {
    fc.assert(
      fc.property(
        states,
        fc.nat(1_000_000),
        (state, since) =>
          !defersToIntake({
            ...state,
            deferringSince: since,
            now: since + state.maxDeferMs + (state.now % 1_000),
          }),
      ),
    );
  });

  it('holds back while intake is busy and the bound is not reached', () => {
    fc.assert(
      fc.property(states, fc.nat(1_000_000), (state, since) => {
        fc.pre(state.intakeInFlight > 0 && state.maxDeferMs > 0);
        const now = since + (state.now % state.maxDeferMs);
        return (
          defersToIntake({ ...state, deferringSince: since, now }) &&
          defersToIntake({ ...state, deferringSince: undefined, now })
        );
      }),
    );
  });
});
