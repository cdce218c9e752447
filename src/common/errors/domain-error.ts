/**
 * Errors the rules raise. They carry a stable code and optional details but no HTTP
 * knowledge: DomainExceptionFilter maps the codes to status codes in one place.
 */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'transition_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'carrier_unavailable'
  | 'carrier_rejected'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'database_unavailable'
  | 'overloaded'
  | 'idempotency_key_reused';

export interface FieldProblem {
  field: string;
  reason: string;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'validation_failed';
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid input: ${problems.map((problem) => problem.field).join(', ')}`, problems);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

/** A carrier or the SMS gateway cannot be reached now (down, timing out, breaker open). */
export class CarrierUnavailableError extends DomainError {
  readonly code = 'carrier_unavailable';
}

/** A carrier refused a request (a 4xx): retrying the same request will not help. */
export class CarrierRejectedError extends DomainError {
  readonly code = 'carrier_rejected';
}

/**
 * An optimistic write lost a race: someone changed the row since it was read. Internal:
 * the step is planned again against the winner's state, once (retryOnStaleWrite); only
 * if that loses too does the caller see 409 `concurrent_change`. Not a business refusal.
 */
export class StaleWriteError extends Error {
  constructor(message = 'The row changed while this change was being made') {
    super(message);
    this.name = 'StaleWriteError';
  }
}

/** A body, or what it expands to, is over a limit; the message names the limit. */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

/** The route does not take this content type; the message names the ones it takes. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/** The database cannot be reached now; the caller should retry later (503, Retry-After). */
export class DatabaseUnavailableError extends DomainError {
  readonly code = 'database_unavailable';
}

/** Too much is waiting to be worked off (the webhook inbox): retry after the given time (503). */
export class OverloadedError extends DomainError {
  readonly code = 'overloaded';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}
