import { StaleWriteError } from './errors/domain-error';

/**
 * Runs a read-plan-write step once more when its optimistic write lost a race, so it
 * plans against the state that won. Once, at one level only: callers of a step that
 * retries must not retry it again. Business refusals (ConflictError and the rest) are
 * answers, not races: they are never retried.
 */
export async function retryOnStaleWrite<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof StaleWriteError)) throw error;
    return step();
  }
}
