import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ScimError } from '../domain/scim-schemas';
import type { ScimRequest } from './scim-authenticate.hook';

/**
 * The second wall, as ApiAuthGuard is for the admin API: a SCIM handler runs only for a
 * request the SCIM hook authenticated, so a route left unmarked by mistake is refused.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<ScimRequest>().scimOrganizationId) {
      throw new ScimError(401, 'A SCIM bearer token is required');
    }
    return true;
  }
}
