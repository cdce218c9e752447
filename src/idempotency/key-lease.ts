import { KEY_LEASE_SECONDS, type IdempotencyRepository } from './idempotency.repository';

/**
 * Renews a key's lease while its request works, so a request slower than the lease keeps
 * its key and a dead process's key is free within one lease. A failed renewal is left to
 * the next one: the lease outlasts two of them.
 */
export function holdKeyLease(keys: IdempotencyRepository, principal: string, key: string): () => void {
  const timer = setInterval(
    () => void keys.renew(principal, key).catch(() => undefined),
    (KEY_LEASE_SECONDS * 1000) / 3,
  );
  // A request in flight keeps the process alive by itself; the timer need not.
  timer.unref();
  return () => clearInterval(timer);
}
