import { DomainError } from '../common/errors/domain-error';

/** The same Idempotency-Key came with another request: 422, as Stripe answers. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was used with another request; use a new key for a new request');
  }
}

/** Carries a stored first answer out to the response, exactly as it was. */
export class ReplayedAnswer extends Error {
  constructor(
    readonly statusCode: number,
    readonly contentType: string,
    readonly body: Buffer,
  ) {
    super('replayed answer');
  }
}
