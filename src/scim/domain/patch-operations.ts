import type { ScimPatchOperation } from 'scim-patch';
import { ScimError } from './scim-schemas';

/**
 * A PATCH's operations, each with a path. RFC 7644 3.5.2: an operation without a path
 * takes a value object whose keys are attributes; Entra ID puts paths there too
 * (`"name.givenName"`, `"emails[type eq \"work\"].value"`), which scim-patch would store
 * as literal keys. Each key becomes its own operation on that path, in order.
 */
export function withPaths(operations: unknown): ScimPatchOperation[] {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimError(400, 'A PATCH needs a non-empty Operations array', 'invalidSyntax');
  }
  return operations.flatMap((operation: unknown): ScimPatchOperation[] => {
    if (typeof operation !== 'object' || operation === null) {
      throw new ScimError(400, 'Each operation must be an object', 'invalidSyntax');
    }
    const { op, path, value } = operation as { op?: unknown; path?: unknown; value?: unknown };
    if (typeof op !== 'string') throw new ScimError(400, 'Each operation needs an op', 'invalidSyntax');
    if (path !== undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [operation as ScimPatchOperation];
    }
    const entries: [string, unknown][] = Object.entries(value as Record<string, unknown>);
    return entries.map(([key, inner]) => ({ op, path: key, value: inner }) as ScimPatchOperation);
  });
}
