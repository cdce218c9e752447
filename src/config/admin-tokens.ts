export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export interface AdminToken {
  role: Role;
  token: string;
}

/** Parses `role:token,role:token`; never echoes a token back in a problem message. */
export function parseAdminTokens(value: string | undefined): {
  tokens: AdminToken[];
  problems: string[];
} {
  if (!value) return { tokens: [], problems: [] };
  const tokens: AdminToken[] = [];
  const problems: string[] = [];
  value.split(',').forEach((pair, index) => {
    const separator = pair.indexOf(':');
    const role = pair.slice(0, separator).trim();
    const token = pair.slice(separator + 1).trim();
    if (separator < 0 || !(ROLES as readonly string[]).includes(role)) {
      problems.push(
        `ADMIN_API_TOKENS: entry ${index + 1} must be role:token with role one of ${ROLES.join(', ')}`,
      );
    } else if (token.length < 16) {
      problems.push(`ADMIN_API_TOKENS: entry ${index + 1} token must be at least 16 characters`);
    } else {
      tokens.push({ role: role as Role, token });
    }
  });
  return { tokens, problems };
}
