import { createHash } from 'node:crypto';
import {
  HttpStatus,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/authenticate.hook';
import { Clock } from '../common/clock';
import { ConflictError, DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { statusOf } from '../common/errors/domain-exception.filter';
import { IdempotencyKeyReusedError, ReplayedAnswer } from './idempotency.errors';
import { IDEMPOTENT_ROUTE } from './idempotent.decorator';
import { rememberIdempotency } from './request-idempotency';
import { IdempotencyRepository } from './idempotency.repository';
import { holdKeyLease } from './key-lease';

/** A key claimed before leases existed, still at work after this long, is taken to have died. */
const IN_PROGRESS_EXPIRES_MS = 60_000;

/**
 * Idempotency-Key on the routes marked @Idempotent(): the first answer to a key (a
 * success, or a business refusal) is stored, and a retry with the same body gets it
 * again; the same key with another body is refused (422); a retry while the first is
 * still at work is asked to wait (409), unless the process that had it died (its lease
 * lapsed, see KEY_LEASE_SECONDS): then the retry takes the key over and runs. Errors a
 * retry could cure (5xx) give the key back.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT_ROUTE, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', reason: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const defaultStatus =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    return from(
      this.run(request, reply, key, defaultStatus, () =>
        lastValueFrom(next.handle(), { defaultValue: undefined }),
      ),
    );
  }

  private async run(
    request: FastifyRequest & AuthenticatedRequest,
    reply: FastifyReply,
    key: string,
    defaultStatus: number,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const principal = request.principal?.subject ?? 'anonymous';
    const fingerprint = fingerprintOf(request);
    rememberIdempotency(request, { key: `${principal}:${key}`, fingerprint });
    const now = this.clock.now();
    if (!(await this.keys.claim(principal, key, fingerprint, now))) {
      const stored = await this.keys.find(principal, key);
      if (stored && stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (stored && stored.statusCode !== null) {
        throw new ReplayedAnswer(
          stored.statusCode,
          stored.contentType ?? 'application/json',
          Buffer.from(stored.body ?? []),
        );
      }
      const staleBefore = new Date(now.getTime() - IN_PROGRESS_EXPIRES_MS);
      if (!stored || !(await this.keys.takeOver(principal, key, staleBefore, now))) {
        throw new ConflictError('A request with this Idempotency-Key is still at work; retry shortly');
      }
    }
    const stopRenewing = holdKeyLease(this.keys, principal, key);
    try {
      const result = await handle();
      const statusCode = reply.statusCode !== 200 ? reply.statusCode : defaultStatus;
      const contentType = String(reply.getHeader('content-type') ?? 'application/json');
      const body = Buffer.isBuffer(result) ? result : Buffer.from(JSON.stringify(result ?? null));
      await this.keys.answer(principal, key, { statusCode, contentType, body });
      return result;
    } catch (error) {
      const status = error instanceof DomainError ? statusOf(error) : 500;
      // A reused key is a refusal about the key, not the request's answer: kept, it would
      // refuse the first request's own retry too.
      const answered = !(error instanceof ReplayedAnswer) && !(error instanceof IdempotencyKeyReusedError);
      if (status >= 400 && status < 500 && answered) {
        const body = Buffer.from(
          JSON.stringify({
            error: (error as DomainError).code,
            message: (error as Error).message,
            details: (error as DomainError).details,
          }),
        );
        await this.keys.answer(principal, key, { statusCode: status, contentType: 'application/json', body });
      } else {
        await this.keys.release(principal, key).catch(() => undefined);
      }
      throw error;
    } finally {
      stopRenewing();
    }
  }
}

/** Same route and same body, byte for byte (a spreadsheet) or as parsed JSON. */
function fingerprintOf(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.routeOptions.url ?? request.url}\n`);
  hash.update(JSON.stringify(request.params ?? {}));
  hash.update(Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body ?? null));
  return hash.digest('base64url');
}
