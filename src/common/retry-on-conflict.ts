import { ConflictError } from './errors/domain-error';

/**
 * Runs a read-plan-write step again when its optimistic write lost a race (the
 * repository throws ConflictError), so it plans against the state that won.
 */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
    }
  }
}
