/**
 * Tells a database that cannot be reached (down, restarting, out of connections) from a
 * query that failed on its own (a constraint, a bad value, a bug). Only the first is
 * worth a 503 and a retry; the second stays a 500 or a domain error.
 *
 * The shapes below were captured by stopping and killing a real PostgreSQL under
 * Prisma 7 with @prisma/adapter-pg (see test/unit/database/database-fault.spec.ts):
 * - Prisma wraps most faults in a PrismaClientKnownRequestError (P2010 for raw queries,
 *   P1001 for model queries and transactions) whose `meta.driverAdapterError.cause` is
 *   the adapter's mapped error: `{ kind: 'DatabaseNotReachable' }`, or
 *   `{ kind: 'postgres', code: '57P01', ... }` for a SQLSTATE the adapter has no name for.
 * - Errors the adapter does not map (a socket closed mid-query, the pool's own timeouts)
 *   come through as the plain `pg` Error, recognisable only by its message.
 * - An interactive transaction that waits longer than Prisma's maxWait for a connection
 *   fails with P2028 "Unable to start a transaction in the given time".
 */

/**
 * A query that `pg` sent itself (DatabaseService.queryAcrossOrganizations) and that
 * failed: it wraps the driver's error so that socket errors inside it count as the
 * database's, as they do inside a Prisma error.
 */
export class DriverQueryError extends Error {
  override readonly name = 'DriverQueryError';

  constructor(cause: unknown) {
    super('A database query failed', { cause });
  }
}

/** Coarse, and safe to show: it names no host, port or driver text. */
export type DatabaseFaultReason = 'unreachable' | 'connection_lost' | 'not_accepting' | 'busy';

/** What a readiness probe may also find: no answer in time, or an error of another kind. */
export type ProbeFailureReason = DatabaseFaultReason | 'no_answer' | 'failing';

export interface DatabaseFault<Reason extends ProbeFailureReason = DatabaseFaultReason> {
  reason: Reason;
  /** What the driver said, for the log only: it may name hosts and ports. */
  detail: string;
}

/** Kinds from @prisma/adapter-pg's convertDriverError. */
const ADAPTER_KINDS: Record<string, DatabaseFaultReason> = {
  DatabaseNotReachable: 'unreachable',
  SocketTimeout: 'unreachable',
  ConnectionClosed: 'connection_lost',
  TooManyConnections: 'busy',
};

/** Prisma's connection error codes (P1xxx) and its pool timeout. */
const PRISMA_CODES: Record<string, DatabaseFaultReason> = {
  P1001: 'unreachable',
  P1002: 'unreachable',
  P1017: 'connection_lost',
  P2024: 'busy',
};

/** SQLSTATEs: admin and crash shutdown, "cannot connect now" (starting, stopping, recovering). */
const SQLSTATES: Record<string, DatabaseFaultReason> = {
  '57P01': 'connection_lost',
  '57P02': 'connection_lost',
  '57P03': 'not_accepting',
  '53300': 'busy',
};

/** The `pg` driver's own errors, which carry no code. */
const PG_MESSAGES: Record<string, DatabaseFaultReason> = {
  'Connection terminated unexpectedly': 'connection_lost',
  'Connection terminated due to connection timeout': 'unreachable',
  'Client has encountered a connection error and is not queryable': 'connection_lost',
  // The pool had no free connection within DB_POOL_ACQUIRE_TIMEOUT_MS.
  'timeout exceeded when trying to connect': 'busy',
};

/**
 * Socket errors count only inside a Prisma error: raw, they may as well come from an
 * HTTP call to a carrier.
 */
const SOCKET_CODES: Record<string, DatabaseFaultReason> = {
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'unreachable',
  ECONNRESET: 'connection_lost',
  EPIPE: 'connection_lost',
};

/** A probe's failure that is an outage, as opposed to a database answering slowly or wrongly. */
export function isOutage(fault: DatabaseFault<ProbeFailureReason>): fault is DatabaseFault {
  return fault.reason !== 'no_answer' && fault.reason !== 'failing';
}

type Node = Record<string, unknown>;

/**
 * Whether a failed statement that wrote many rows failed for one of them (bad data, a
 * constraint; SQLSTATE classes 22 and 23) or by the bad luck of its timing (a deadlock):
 * written again in parts, the others go in. A timeout, an outage or a full disk would
 * only fail again, once per part.
 */
export function isRowRefusal(error: unknown): boolean {
  const code = findInChain(error, sqlStateOf);
  return code !== undefined && (/^2[23]/.test(code) || code === '40P01');
}

function sqlStateOf(node: Node, insidePrisma: boolean): string | undefined {
  const code = typeof node.code === 'string' ? node.code : undefined;
  const kind = typeof node.kind === 'string' ? node.kind : undefined;
  return code && isSqlState(node, code, kind, insidePrisma) ? code : undefined;
}

/**
 * The fault if `error` says the database cannot be reached now; undefined when the query
 * failed for any other reason.
 */
export function classifyDatabaseFault(error: unknown): DatabaseFault | undefined {
  return findInChain(error, classifyNode);
}

/**
 * The first answer `test` gives along an error's chain: the error, the adapter's error
 * in a Prisma error's `meta.driverAdapterError`, then each `cause`. `insidePrisma` tells
 * `test` whether a Prisma or driver error wraps the node, which makes bare codes count.
 */
function findInChain<T>(
  error: unknown,
  test: (node: Node, insidePrisma: boolean) => T | undefined,
): T | undefined {
  const visit = (value: unknown, insidePrisma: boolean, depth: number): T | undefined => {
    if (typeof value !== 'object' || value === null || depth > 5) return undefined;
    const node = value as Node;
    const prisma = insidePrisma || isPrismaError(node);
    const found = test(node, prisma);
    if (found !== undefined) return found;
    const driverError = (node.meta as Node | undefined)?.driverAdapterError;
    return visit(driverError, prisma, depth + 1) ?? visit(node.cause, prisma, depth + 1);
  };
  return visit(error, false, 0);
}

function classifyNode(node: Node, insidePrisma: boolean): DatabaseFault | undefined {
  const code = typeof node.code === 'string' ? node.code : undefined;
  const message = typeof node.message === 'string' ? node.message : '';
  const kind = typeof node.kind === 'string' ? node.kind : undefined;
  if (kind && ADAPTER_KINDS[kind]) return { reason: ADAPTER_KINDS[kind], detail: describeKind(node, kind) };
  if (code && isSqlState(node, code, kind, insidePrisma)) {
    const reason = code.startsWith('08') ? 'connection_lost' : SQLSTATES[code];
    return reason ? { reason, detail: `${code} ${message}` } : undefined;
  }
  if (PG_MESSAGES[message]) return { reason: PG_MESSAGES[message], detail: message };
  if (!insidePrisma || !code) return undefined;
  if (PRISMA_CODES[code]) return { reason: PRISMA_CODES[code], detail: `${code} ${lastLine(message)}` };
  // P2028 is every transaction API error; only this one means no connection was free.
  if (code === 'P2028' && message.includes('Unable to start a transaction in the given time'))
    return { reason: 'busy', detail: `${code} ${message}` };
  if (SOCKET_CODES[code]) return { reason: SOCKET_CODES[code], detail: `${code} ${message}` };
  return undefined;
}

/** A SQLSTATE comes from the server (pg's DatabaseError has a severity) or the adapter. */
function isSqlState(node: Node, code: string, kind: string | undefined, insidePrisma: boolean): boolean {
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  return kind === 'postgres' || typeof node.severity === 'string' || (insidePrisma && /^\d/.test(code));
}

function isPrismaError(node: Node): boolean {
  const name = typeof node.name === 'string' ? node.name : '';
  return (
    name.startsWith('PrismaClient') ||
    name === 'DriverAdapterError' ||
    name === 'DriverQueryError' ||
    'clientVersion' in node
  );
}

function describeKind(node: Node, kind: string): string {
  const host = typeof node.host === 'string' ? node.host : undefined;
  const port = typeof node.port === 'number' || typeof node.port === 'string' ? `:${node.port}` : '';
  return host ? `${kind} at ${host}${port}` : kind;
}

/** Prisma's messages open with the invocation and a code frame; the cause is on the last line. */
function lastLine(message: string): string {
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  return lines[lines.length - 1] ?? '';
}
