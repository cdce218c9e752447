import {
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import type { DataScope } from '../database/data-scope';
import { parseOrganizationRef } from '../organizations/domain/slug';
import type { OrganizationDirectory } from '../organizations/organization-directory';
import type { Role } from '../config/admin-tokens';
import type { Principal } from './token-verifier';

/** How an operator names the organisation it acts in (by id or slug). */
export const ORGANIZATION_HEADER = 'x-organization';

/**
 * The data scope a request acts in, from its principal and the route:
 * - a route only operators may call (managing organisations) acts across them;
 * - an operator acts in the organisation it names in X-Organization, and nowhere else;
 * - anyone else acts in their token's organisation. A header naming another one is
 *   refused the same way whether that organisation exists or not.
 */
export async function scopeOf(
  principal: Principal,
  header: string | string[] | undefined,
  required: Role,
  directory: OrganizationDirectory,
): Promise<DataScope & { organizationSlug?: string }> {
  if (required === 'operator')
    return { kind: 'all-organizations', why: 'an operator managing organizations' };
  const named = typeof header === 'string' ? header : undefined;
  if (principal.role === 'operator') {
    if (!named) {
      throw new ValidationFailedError([
        { field: `header.${ORGANIZATION_HEADER}`, reason: 'an operator names the organization it acts in' },
      ]);
    }
    const ref = parseOrganizationRef(named);
    const organization = ref ? await directory.find(ref) : undefined;
    if (!organization) throw new NotFoundError(`No organization ${named}`);
    return { kind: 'organization', organizationId: organization.id, organizationSlug: organization.slug };
  }
  const own = principal.organization ? await directory.find(principal.organization) : undefined;
  if (!own) throw new UnauthorizedError("The bearer token's organization does not exist");
  if (named !== undefined) {
    const ref = parseOrganizationRef(named);
    const sameId = ref && 'id' in ref && ref.id === own.id;
    const sameSlug = ref && 'slug' in ref && ref.slug === own.slug;
    if (!sameId && !sameSlug) throw new ForbiddenError('A token acts in its own organization only');
  }
  return { kind: 'organization', organizationId: own.id, organizationSlug: own.slug };
}
