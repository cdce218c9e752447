/** The user attributes a directory (SCIM) looks users up by. */
export type MatchField = 'id' | 'username' | 'externalId' | 'email';

/**
 * Which users to find: equality on those attributes, joined by and/or. Usernames and
 * emails compare case-folded (as they are unique), ids and external ids exactly.
 */
export type UserMatch =
  { kind: 'eq'; field: MatchField; value: string } | { kind: 'and' | 'or'; of: UserMatch[] };
