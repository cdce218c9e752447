import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import type { Role } from '../config/admin-tokens';
import type { AuthenticatedRequest } from './authenticate.hook';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLE } from './roles';

/**
 * The second wall: every handler not marked public needs the principal that the
 * authentication hook found, with a sufficient role. It reads the handler's metadata,
 * never the URL.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const { principal } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!principal) throw new UnauthorizedError('A bearer token is required');
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? 'member';
    if (!hasRole(principal.role, required)) {
      throw new ForbiddenError(`This needs the ${required} role; the token has ${principal.role}`);
    }
    return true;
  }
}
