import type { FieldProblem } from '../common/errors/domain-error';

/** Deeper JSON than this is no user, line or callback; validators recurse and would overflow. */
export const MAX_JSON_DEPTH = 32;

// C0 controls (NUL included) but tab; PostgreSQL refuses NUL in text and the rest
// corrupt logs, spreadsheets and terminals. Line breaks only where a field allows them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000A-\u001F]/;
// eslint-disable-next-line no-control-regex -- likewise
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/**
 * The first problem found in a parsed body, query or set of path parameters: nesting past
 * the limit, or a control character or a lone surrogate in a string (keys included).
 * Walks without recursion, so a hostile depth cannot overflow the stack here either.
 */
export function inputProblem(
  value: unknown,
  root: string,
  multilineFields: readonly string[] = [],
): FieldProblem | undefined {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length > 0) {
    const [item, path, depth] = stack.pop()!;
    if (typeof item === 'string') {
      const pattern = multilineFields.includes(path) ? CONTROL_BUT_LINE_BREAKS : CONTROL;
      if (pattern.test(item)) return { field: path, reason: 'must not contain control characters' };
      // JSON can escape half a surrogate pair; no UTF-8 text holds it (jsonb refuses it).
      if (!item.isWellFormed())
        return { field: path, reason: 'must be well-formed Unicode (no lone surrogates)' };
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { field: path, reason: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    }
    for (const [key, child] of Object.entries(item)) {
      if (CONTROL.test(key)) return { field: path, reason: 'has a key with control characters' };
      if (!key.isWellFormed()) return { field: path, reason: 'has a key that is not well-formed Unicode' };
      stack.push([child, path ? `${path}.${key}` : key, depth + 1]);
    }
  }
  return undefined;
}
