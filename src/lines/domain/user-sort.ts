/**
 * The list's orders and its keyset cursors. A page goes on from the last row of the one
 * before, by (sort key, id): stable however many users are added or removed meanwhile,
 * and as cheap deep in the list as on its first page (no OFFSET).
 */
export const SORT_FIELDS = ['lastName', 'username', 'registeredAt', 'lastSeen'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** `id` is the default order (registration order: ids are UUIDv7). */
export interface UserSort {
  field: SortField | 'id';
  descending: boolean;
}

export const DEFAULT_SORT: UserSort = { field: 'id', descending: false };

/** `sort=` as the API takes it: a field, `-` in front for descending. */
export const SORT_PARAMS = SORT_FIELDS.flatMap((field) => [field, `-${field}`]);

export function parseSort(param: string | undefined): UserSort {
  if (param === undefined) return DEFAULT_SORT;
  const descending = param.startsWith('-');
  const field = (descending ? param.slice(1) : param) as SortField;
  if (!SORT_FIELDS.includes(field)) throw new Error(`not a sort: ${param}`);
  return { field, descending };
}

export function sortParam(sort: UserSort): string {
  return `${sort.descending ? '-' : ''}${sort.field}`;
}

/**
 * Where a page starts: after the row with this sort key and id. The key is the value
 * the database sorted by (a lower-cased name, an ISO time), null for never seen.
 */
export interface CursorPosition {
  sort: string;
  key: string | null;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.key, position.id]), 'utf8').toString(
    'base64url',
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_KEYS = new Set(['lastName', 'username']);

export type CursorCheck = { ok: true; position: CursorPosition } | { ok: false; reason: string };

/**
 * Reads a cursor for the order `sort` asks for. A cursor is opaque to clients but not
 * trusted: anything this API did not give out for this order is refused, never passed
 * on to the database unchecked. (Cursors of the id-only paging before sorts, a bare id,
 * still read as the default order's.)
 */
export function decodeCursor(cursor: string, sort: UserSort): CursorCheck {
  const wanted = sortParam(sort);
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (UUID.test(text)) {
    return wanted === 'id'
      ? { ok: true, position: { sort: 'id', key: null, id: text.toLowerCase() } }
      : { ok: false, reason: 'belongs to another sort' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'is not a cursor this API gave out' };
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) {
    return { ok: false, reason: 'is not a cursor this API gave out' };
  }
  const [given, key, id] = parsed as unknown[];
  if (typeof given !== 'string' || typeof id !== 'string' || !UUID.test(id) || !validKey(given, key)) {
    return { ok: false, reason: 'is not a cursor this API gave out' };
  }
  if (given !== wanted) return { ok: false, reason: 'belongs to another sort' };
  return { ok: true, position: { sort: given, key: key as string | null, id: id.toLowerCase() } };
}

function validKey(sort: string, key: unknown): boolean {
  const field = sort.replace(/^-/, '');
  if (field === 'id') return key === null;
  if (TEXT_KEYS.has(field)) return typeof key === 'string' && key.length <= 1000;
  if (field === 'lastSeen' && key === null) return true;
  return typeof key === 'string' && ISO_TIME.test(key) && !Number.isNaN(Date.parse(key));
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
