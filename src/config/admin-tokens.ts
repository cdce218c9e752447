import { DEFAULT_ORGANIZATION } from '../organizations/domain/default-organization';
import { parseOrganizationRef, type OrganizationRef } from '../organizations/domain/slug';

/**
 * Owners, admins and members act within their own organisation. An operator (the
 * provider's support staff) belongs to none: it manages organisations and acts in one
 * only by naming it (the X-Organization header).
 */
export const ROLES = ['owner', 'admin', 'member', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface AdminToken {
  role: Role;
  token: string;
  /** Whose token it is; absent for an operator. */
  organization?: OrganizationRef;
}

/**
 * Parses `role[@organization]:token,...`: the organisation by slug or id, the default
 * organisation when left out (`operator:token` names none). Never echoes a token back in
 * a problem message.
 */
export function parseAdminTokens(value: string | undefined): {
  tokens: AdminToken[];
  problems: string[];
} {
  if (!value) return { tokens: [], problems: [] };
  const tokens: AdminToken[] = [];
  const problems: string[] = [];
  value.split(',').forEach((pair, index) => {
    const problem = (text: string) => problems.push(`ADMIN_API_TOKENS: entry ${index + 1} ${text}`);
    const separator = pair.indexOf(':');
    const [role, organization] = pair.slice(0, Math.max(separator, 0)).trim().split('@');
    const token = pair.slice(separator + 1).trim();
    if (separator < 0 || !(ROLES as readonly string[]).includes(role)) {
      problem(`must be role[@organization]:token with role one of ${ROLES.join(', ')}`);
    } else if (token.length < 16) {
      problem('token must be at least 16 characters');
    } else if (role === 'operator') {
      if (organization !== undefined) problem('an operator token names no organization');
      else tokens.push({ role, token });
    } else {
      const ref =
        organization === undefined ? { id: DEFAULT_ORGANIZATION.id } : parseOrganizationRef(organization);
      if (!ref) problem('names its organization by slug or id');
      else tokens.push({ role: role as Role, token, organization: ref });
    }
  });
  return { tokens, problems };
}
