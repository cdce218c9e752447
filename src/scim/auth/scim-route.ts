import { PUBLIC_ROUTE } from '../../auth/roles';
import { withRoutePolicy } from '../../http/route-policy';
import { SCIM_BODY_TYPES } from '../domain/scim-schemas';

/** Metadata ScimAuthGuard reads: the handler is a SCIM route. */
export const SCIM_ROUTE = 'scim:route';

/**
 * A SCIM route: no admin bearer token (the admin guard lets it by), a SCIM token instead,
 * checked by the SCIM hook before the body is read and again by ScimAuthGuard; bodies as
 * application/scim+json or application/json, within the service-wide size limit.
 */
export const ScimRoute = () =>
  withRoutePolicy({ access: 'scim', bodyTypes: SCIM_BODY_TYPES }, (handler) => {
    Reflect.defineMetadata(PUBLIC_ROUTE, true, handler);
    Reflect.defineMetadata(SCIM_ROUTE, true, handler);
  });
