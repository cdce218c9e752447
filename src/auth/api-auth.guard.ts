import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import type { Role } from '../config/admin-tokens';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLE } from './roles';
import { TokenVerifier, type Principal } from './token-verifier';

/** Every /v1 route needs a bearer token with a sufficient role, unless marked public. */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    if (!request.url.startsWith('/v1/')) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new UnauthorizedError('A bearer token is required');
    const principal = await this.tokens.verify(token);
    if (!principal) throw new UnauthorizedError('The bearer token is not valid');

    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? 'member';
    if (!hasRole(principal.role, required)) {
      throw new ForbiddenError(`This needs the ${required} role; the token has ${principal.role}`);
    }
    request.principal = principal;
    return true;
  }
}
