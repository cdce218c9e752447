/** A slug names an organisation in tokens and headers: lower-case letters, digits and dashes. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How a token, a claim or a header names an organisation: by its id or its slug. */
export type OrganizationRef = { id: string } | { slug: string };

export function parseOrganizationRef(value: string): OrganizationRef | undefined {
  const trimmed = value.trim();
  if (UUID.test(trimmed)) return { id: trimmed.toLowerCase() };
  if (SLUG.test(trimmed)) return { slug: trimmed };
  return undefined;
}
