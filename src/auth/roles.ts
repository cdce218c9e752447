import { SetMetadata } from '@nestjs/common';
import type { Role } from '../config/admin-tokens';

export const REQUIRED_ROLE = 'auth:required-role';
export const PUBLIC_ROUTE = 'auth:public';

/** Members read; admins and owners change. */
const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

/** The least role a route needs; routes without it need `member`. */
export const RequiresRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** A route that checks its own credentials (signed webhooks) instead of a bearer token. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
