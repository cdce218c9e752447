import fc from 'fast-check';
import {
  BURST_CONCURRENCY,
  defersToIntake,
  isBurst,
  type IntakeFirstState,
} from '../../../src/webhooks/domain/intake-first';

const states = fc.record<IntakeFirstState>({
  concurrentIntake: fc.nat(100),
  deferringSince: fc.option(fc.nat(1_000_000), { nil: undefined }),
  now: fc.nat(2_000_000),
  maxDeferMs: fc.nat(600_000),
});

describe('the inbox worker leaving the machine to intake', () => {
  it('never holds back for one sender at a time, or none', () => {
    fc.assert(
      fc.property(
        states,
        fc.nat(BURST_CONCURRENCY - 1),
        (state, concurrentIntake) => !defersToIntake({ ...state, concurrentIntake }),
      ),
    );
  });

  it('calls two or more at once a burst, and holds back for nothing else', () => {
    fc.assert(
      fc.property(states, (state) => {
        const burst = isBurst(state.concurrentIntake);
        return burst === state.concurrentIntake >= 2 && (burst || !defersToIntake(state));
      }),
    );
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

  it('holds back during a burst while the bound is not reached', () => {
    fc.assert(
      fc.property(states, fc.nat(1_000_000), (state, since) => {
        fc.pre(state.concurrentIntake >= BURST_CONCURRENCY && state.maxDeferMs > 0);
        const now = since + (state.now % state.maxDeferMs);
        return (
          defersToIntake({ ...state, deferringSince: since, now }) &&
          defersToIntake({ ...state, deferringSince: undefined, now })
        );
      }),
    );
  });
});
