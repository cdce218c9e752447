import { parse, type Filter } from 'scim2-parse-filter';
import type { MatchField, UserMatch } from '../../lines/queries/user-match';
import { ScimError } from './scim-schemas';

/** SCIM attribute paths (compared case-insensitively, schema URN optional) to our fields. */
const FIELDS: Record<string, MatchField> = {
  id: 'id',
  username: 'username',
  externalid: 'externalId',
  'emails.value': 'email',
  emails: 'email',
};

const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';

/**
 * Parses a SCIM filter (RFC 7644 3.4.2.2) with scim2-parse-filter and keeps what the
 * directories send: `userName eq`, `externalId eq`, `emails[value eq]` (or
 * `emails.value eq`), joined with and/or. Anything else is 400 invalidFilter, rather than
 * a silently wrong answer.
 */
export function parseUserFilter(text: string): UserMatch {
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw new ScimError(400, `The filter cannot be parsed: ${text}`, 'invalidFilter');
  }
  return toMatch(ast);
}

function toMatch(filter: Filter): UserMatch {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { kind: filter.op, of: filter.filters.map(toMatch) };
    case '[]': {
      const inner = filter.valFilter;
      if (
        fieldOf(filter.attrPath) !== 'email' ||
        inner.op !== 'eq' ||
        inner.attrPath.toLowerCase() !== 'value'
      ) {
        throw unsupported(`${filter.attrPath}[...]`);
      }
      return { kind: 'eq', field: 'email', value: stringValue(inner.compValue) };
    }
    case 'eq':
      return { kind: 'eq', field: fieldOf(filter.attrPath), value: stringValue(filter.compValue) };
    default:
      throw unsupported(`the operator ${filter.op}`);
  }
}

function fieldOf(path: string): MatchField {
  const folded = path.toLowerCase().replace(CORE_PREFIX, '');
  const field = FIELDS[folded];
  if (!field) throw unsupported(`the attribute ${path}`);
  return field;
}

function stringValue(value: unknown): string {
  if (typeof value !== 'string')
    throw new ScimError(400, 'Filters compare with strings here', 'invalidFilter');
  return value;
}

function unsupported(what: string): ScimError {
  return new ScimError(400, `Filtering on ${what} is not supported`, 'invalidFilter');
}
