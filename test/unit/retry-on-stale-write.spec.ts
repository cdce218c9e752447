import { ConflictError, NotFoundError, StaleWriteError } from '../../src/common/errors/domain-error';
import { retryOnStaleWrite } from '../../src/common/retry-on-stale-write';
import { TransitionNotAllowedError } from '../../src/lines/domain/status-machine';

/** A step that fails with the given errors, in turn, then answers 'done'; it counts its attempts. */
function stepFailingWith(...errors: Error[]) {
  let attempts = 0;
  return jest.fn((): Promise<string> => {
    const error: Error | undefined = errors[attempts++];
    return error ? Promise.reject(error) : Promise.resolve('done');
  });
}

describe('retryOnStaleWrite', () => {
  it('a step that succeeds runs once', async () => {
    const step = stepFailingWith();
    await expect(retryOnStaleWrite(step)).resolves.toBe('done');
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('a lost race (StaleWriteError) is planned again once: 2 attempts', async () => {
    const step = stepFailingWith(new StaleWriteError());
    await expect(retryOnStaleWrite(step)).resolves.toBe('done');
    expect(step).toHaveBeenCalledTimes(2);
  });

  it('two lost races: the second is the caller’s, after 2 attempts, not 3', async () => {
    const step = stepFailingWith(new StaleWriteError(), new StaleWriteError());
    await expect(retryOnStaleWrite(step)).rejects.toBeInstanceOf(StaleWriteError);
    expect(step).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['ConflictError', new ConflictError('The subscriber opted out: no more texts can be sent')],
    ['TransitionNotAllowedError', new TransitionNotAllowedError('verizon', 'DISABLED', 'OPT_IN_SENT')],
    ['NotFoundError', new NotFoundError('No user')],
    ['an unexpected error', new Error('boom')],
  ])('a business refusal or any other error (%s) is answered at once: 1 attempt', async (_name, error) => {
    const step = stepFailingWith(error);
    await expect(retryOnStaleWrite(step)).rejects.toBe(error);
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('a refusal found on the second attempt (the winner of the race made it one) is not retried: 2 attempts', async () => {
    const refusal = new ConflictError('The line is ENABLED, not waiting for an opt-in reply');
    const step = stepFailingWith(new StaleWriteError(), refusal);
    await expect(retryOnStaleWrite(step)).rejects.toBe(refusal);
    expect(step).toHaveBeenCalledTimes(2);
  });
});
