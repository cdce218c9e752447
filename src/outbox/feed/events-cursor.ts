import { ValidationFailedError } from '../../common/errors/domain-error';

/** A place in the feed: after the event (txid, id), in the order the relay publishes. */
export interface Cursor {
  txid: bigint;
  id: bigint;
}

/** Both parts are PostgreSQL bigints; anything else was not given out by this API. */
const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * The oldest transaction still running, in the current snapshot. Every event below it is
 * settled (committed or gone for good); none can still appear there.
 */
export const SNAPSHOT_XMIN_SQL = 'pg_snapshot_xmin(pg_current_snapshot())::text::bigint';

/**
 * "Everything settled up to here", given the oldest running transaction: past every event
 * of an older transaction, before every event of it or a newer one. A snapshot read after
 * this was taken shows every change of the events before it; a change it shows may also
 * have an event after it (a newer transaction that committed early): the state's sequence
 * tells a consumer to skip that one.
 */
export function headCursor(xmin: bigint): Cursor {
  return { txid: xmin - 1n, id: MAX_BIGINT };
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.txid}.${cursor.id}`).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): Cursor {
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const decoded = match ? { txid: BigInt(match[1]), id: BigInt(match[2]) } : undefined;
  if (!decoded || decoded.txid > MAX_BIGINT || decoded.id > MAX_BIGINT) {
    throw new ValidationFailedError([{ field, reason: 'is not a cursor this API gave out' }]);
  }
  return decoded;
}

/** A cursor past the head was not given out yet: 400 rather than an empty page forever. */
export function refuseBeyondHead(cursor: Cursor, xmin: bigint, field = 'after'): void {
  if (cursor.txid >= xmin) {
    throw new ValidationFailedError([{ field, reason: 'is beyond the newest settled event' }]);
  }
}
