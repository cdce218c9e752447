import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { DomainExceptionFilter } from '../../common/errors/domain-exception.filter';
import { SCIM_MEDIA_TYPE, ScimError, type ScimType } from '../domain/scim-schemas';
import { scimErrorBody } from './scim-error-body';

/**
 * The SCIM controllers' errors in RFC 7644 3.12's schema, mapped here once: SCIM's own
 * refusals, a duplicate as `uniqueness`, bad input as `invalidValue`. Anything else (a
 * database outage, an unexpected fault) goes to the service-wide filter, which keeps its
 * 503 and its error ids.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  constructor(private readonly fallback: DomainExceptionFilter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const mapped = toScim(exception);
    if (!mapped) return this.fallback.catch(exception, host);
    const [status, detail, scimType] = mapped;
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(status)
      .header('content-type', SCIM_MEDIA_TYPE)
      .send(scimErrorBody(status, detail, scimType));
  }
}

function toScim(exception: unknown): [number, string, ScimType?] | undefined {
  if (exception instanceof ScimError) return [exception.status, exception.message, exception.scimType];
  if (exception instanceof NotFoundError) return [404, exception.message];
  if (exception instanceof ConflictError) return [409, exception.message, 'uniqueness'];
  if (exception instanceof ValidationFailedError) {
    const detail = exception.problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
    return [400, detail, 'invalidValue'];
  }
  if (exception instanceof DomainError && exception.code === 'transition_not_allowed') {
    return [409, exception.message];
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return [
      exception.getStatus(),
      exception.message,
      exception.getStatus() === 400 ? 'invalidSyntax' : undefined,
    ];
  }
  return undefined;
}
