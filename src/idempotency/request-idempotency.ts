/**
 * The Idempotency-Key a request came with, as the interceptor read it: a use case whose
 * effect outlives the key store (a registration) keeps both beside what it made, so a
 * retry finds it and a different request with the same key is told apart.
 */
export interface RequestIdempotency {
  /** The caller's key, qualified by the caller (keys are each caller's own). */
  key: string;
  /** The request's method, route and body, hashed. */
  fingerprint: string;
}

const IDEMPOTENCY = Symbol('idempotency');

type Carrier = { [IDEMPOTENCY]?: RequestIdempotency };

export function rememberIdempotency(request: object, idempotency: RequestIdempotency): void {
  (request as Carrier)[IDEMPOTENCY] = idempotency;
}

/** Set on routes marked @Idempotent() when the request sent a key. */
export function idempotencyOf(request: object): RequestIdempotency | undefined {
  return (request as Carrier)[IDEMPOTENCY];
}
