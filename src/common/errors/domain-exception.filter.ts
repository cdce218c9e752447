import { randomUUID } from 'node:crypto';
import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { classifyDatabaseFault } from '../../database/database-fault';
import { DatabaseOutage } from '../../database/database-outage';
import { databaseUnavailable, RETRY_AFTER_SECONDS } from './database-unavailable';
import { ReplayedAnswer } from '../../idempotency/idempotency.errors';
import { DomainError, OverloadedError, StaleWriteError, type DomainErrorCode } from './domain-error';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation_failed: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  transition_not_allowed: HttpStatus.CONFLICT,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  carrier_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  carrier_rejected: HttpStatus.BAD_GATEWAY,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  database_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  overloaded: HttpStatus.SERVICE_UNAVAILABLE,
  idempotency_key_reused: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** The status a domain error is answered with: the one mapping, also used to store answers. */
export function statusOf(error: DomainError): number {
  return STATUS_BY_CODE[error.code];
}

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Every error leaves the service as `{ error, message, details }`; a 500 shows only an id.
 * A database that cannot be reached is a 503 with Retry-After, logged once per outage by
 * DatabaseOutage rather than once per request.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly outage: DatabaseOutage) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ReplayedAnswer) {
      void reply
        .status(exception.statusCode)
        .header('content-type', exception.contentType)
        .header('idempotent-replayed', 'true')
        .send(exception.body);
      return;
    }
    const [status, body] = this.toResponse(exception);
    if (body.error === 'database_unavailable') void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (exception instanceof OverloadedError)
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(status).send(body);
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainError) return fromDomainError(exception);
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof StaleWriteError) {
      return [HttpStatus.CONFLICT, { error: 'concurrent_change', message: `${exception.message}; retry` }];
    }
    const statusCode = (exception as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // Fastify's own refusals (body too large, bad content type, malformed JSON).
      return [statusCode, { error: httpErrorName(statusCode), message: (exception as Error).message }];
    }
    const fault = classifyDatabaseFault(exception);
    if (fault) {
      this.outage.refused(fault);
      return fromDomainError(databaseUnavailable(fault));
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, 'Unhandled error');
    return [
      HttpStatus.INTERNAL_SERVER_ERROR,
      {
        error: 'internal_error',
        message: `Internal error; quote id ${errorId} when reporting it`,
        details: { errorId },
      },
    ];
  }
}

function fromDomainError(error: DomainError): [number, ErrorBody] {
  return [STATUS_BY_CODE[error.code], { error: error.code, message: error.message, details: error.details }];
}

function fromHttpException(exception: HttpException): [number, ErrorBody] {
  const status = exception.getStatus();
  const response = exception.getResponse();
  // Terminus's readiness report is already the body dashboards expect.
  if (isHealthReport(response)) return [status, response as unknown as ErrorBody];
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? String(response.message)
      : exception.message;
  return [status, { error: httpErrorName(status), message }];
}

function httpErrorName(status: number): string {
  return (HttpStatus[status] ?? 'error').toLowerCase();
}

function isHealthReport(response: unknown): boolean {
  return typeof response === 'object' && response !== null && 'status' in response && 'details' in response;
}
