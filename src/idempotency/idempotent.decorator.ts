import { SetMetadata } from '@nestjs/common';

export const IDEMPOTENT_ROUTE = 'idempotency:route';

/** Keys, and the answers kept for them, live this long. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** The route honours an Idempotency-Key header (see IdempotencyInterceptor). */
export const Idempotent = () => SetMetadata(IDEMPOTENT_ROUTE, true);
