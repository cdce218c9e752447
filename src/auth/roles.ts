import type { Role } from '../config/admin-tokens';
import { withRoutePolicy } from '../http/route-policy';

export const REQUIRED_ROLE = 'auth:required-role';
export const PUBLIC_ROUTE = 'auth:public';

/**
 * Members read; admins and owners change; an operator may do what an owner may, in the
 * organisation it names, and alone manages organisations.
 */
const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3, operator: 4 };

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

/**
 * The least role a route needs; routes without it need `member`. Checked before the body
 * is read (authentication hook) and again by ApiAuthGuard.
 */
export const RequiresRole = (role: Role) =>
  withRoutePolicy({ role }, (target) => Reflect.defineMetadata(REQUIRED_ROLE, role, target));

/**
 * A route that needs no bearer token: probes, and signed webhooks that check their own
 * credentials. On a controller it marks every handler. Every other route needs a
 * principal; nothing is public by its URL.
 */
export function PublicRoute(access: 'public' | 'metrics' = 'public'): ClassDecorator & MethodDecorator {
  return withRoutePolicy({ access }, (target) => Reflect.defineMetadata(PUBLIC_ROUTE, true, target));
}
