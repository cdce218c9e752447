import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { DatabaseError } from 'pg';
import { ConflictError } from '../../../src/common/errors/domain-error';
import { classifyDatabaseFault, DriverQueryError, isRowRefusal } from '../../../src/database/database-fault';
import { Prisma } from '../../../src/generated/prisma/client';

const CLIENT_VERSION = '7.10.1';

/** Prisma's wrapper around an adapter error, as Prisma 7 with @prisma/adapter-pg throws it. */
function prismaError(code: string, message: string, adapterCause?: Record<string, unknown>) {
  const meta = adapterCause ? { driverAdapterError: new DriverAdapterError(adapterCause as never) } : {};
  return new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: CLIENT_VERSION, meta });
}

/** A plain `pg` error that Prisma passed through, adding only its version. */
function passedThrough(message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { clientVersion: CLIENT_VERSION }, extra);
}

function postgresCause(code: string, message: string) {
  return { originalCode: code, originalMessage: message, kind: 'postgres', code, severity: 'FATAL', message };
}

const unreachable = { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 44743 };
const rawQuery = (text: string) => `\nInvalid \`prisma.$queryRaw()\` invocation:\n\n\n${text}`;

function pgDatabaseError(code: string, message: string): DatabaseError {
  return Object.assign(new DatabaseError(message, 116, 'error'), { severity: 'FATAL', code });
}

// Captured by stopping, killing and starving a real PostgreSQL 15 under Prisma 7.10.
const CAPTURED: [string, unknown, string][] = [
  [
    'server stopped: $queryRaw',
    prismaError(
      'P2010',
      rawQuery("Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:44743`"),
      unreachable,
    ),
    'unreachable',
  ],
  [
    'server stopped: model query or interactive transaction',
    prismaError('P1001', "Can't reach database server at 127.0.0.1:44743", unreachable),
    'unreachable',
  ],
  [
    'pg_ctl stop -m fast, or pg_terminate_backend, with a query in flight (57P01)',
    prismaError(
      'P2010',
      rawQuery(
        'Raw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`',
      ),
      postgresCause('57P01', 'terminating connection due to administrator command'),
    ),
    'connection_lost',
  ],
  [
    'pg_ctl stop -m smart: new connections (57P03)',
    prismaError(
      'P2010',
      rawQuery('Raw query failed. Code: `57P03`. Message: `the database system is shutting down`'),
      postgresCause('57P03', 'the database system is shutting down'),
    ),
    'not_accepting',
  ],
  [
    'crash recovery after a backend was killed (57P03)',
    prismaError(
      'P2010',
      rawQuery('Raw query failed. Code: `57P03`. Message: `the database system is in recovery mode`'),
      postgresCause('57P03', 'the database system is in recovery mode'),
    ),
    'not_accepting',
  ],
  [
    'pg_ctl stop -m immediate, kill -9, or a crashed backend, with a query in flight',
    passedThrough('Connection terminated unexpectedly'),
    'connection_lost',
  ],
  ['pool exhausted: $queryRaw', passedThrough('timeout exceeded when trying to connect'), 'busy'],
  ['pool exhausted: interactive transaction', new Error('timeout exceeded when trying to connect'), 'busy'],
  [
    'a server that accepts and never answers',
    passedThrough('Connection terminated due to connection timeout', {
      cause: new Error('Connection terminated unexpectedly'),
    }),
    'unreachable',
  ],
  [
    'interactive transaction waited past maxWait',
    prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.'),
    'busy',
  ],
  [
    'a bare pg pool, backend terminated (57P01)',
    pgDatabaseError('57P01', 'terminating connection due to administrator command'),
    'connection_lost',
  ],
];

// Not seen in the runs above, but documented by PostgreSQL, the adapter or Prisma.
const DOCUMENTED: [string, unknown, string][] = [
  [
    '57P02 crash shutdown',
    prismaError(
      'P2010',
      'Raw query failed',
      postgresCause('57P02', 'terminating connection because of crash of another server process'),
    ),
    'connection_lost',
  ],
  [
    'SQLSTATE class 08',
    prismaError('P2010', 'Raw query failed', postgresCause('08006', 'connection failure')),
    'connection_lost',
  ],
  [
    '53300 too many connections',
    prismaError('P2010', 'Raw query failed', {
      kind: 'TooManyConnections',
      cause: 'sorry, too many clients already',
    }),
    'busy',
  ],
  [
    'ECONNRESET mapped by the adapter',
    prismaError('P2010', 'Raw query failed', { kind: 'ConnectionClosed' }),
    'connection_lost',
  ],
  [
    'ETIMEDOUT mapped by the adapter',
    prismaError('P2010', 'Raw query failed', { kind: 'SocketTimeout' }),
    'unreachable',
  ],
  [
    'P1017 server closed the connection',
    prismaError('P1017', 'Server has closed the connection.'),
    'connection_lost',
  ],
  [
    'P2024 pool timeout',
    prismaError('P2024', 'Timed out fetching a new connection from the connection pool.'),
    'busy',
  ],
  [
    'a socket error Prisma passed through',
    passedThrough('connect ECONNREFUSED 127.0.0.1:5432', {
      code: 'ECONNREFUSED',
      syscall: 'connect',
      errno: -111,
    }),
    'unreachable',
  ],
];

describe('classifyDatabaseFault', () => {
  it.each([...CAPTURED, ...DOCUMENTED])('%s', (_name, error, reason) => {
    expect(classifyDatabaseFault(error)?.reason).toBe(reason);
  });

  it('keeps what the driver said as the detail, for the log', () => {
    const fault = classifyDatabaseFault(prismaError('P2010', 'Raw query failed', unreachable));
    expect(fault).toEqual({ reason: 'unreachable', detail: 'DatabaseNotReachable at 127.0.0.1:44743' });
    expect(classifyDatabaseFault(pgDatabaseError('57P01', 'terminating connection'))?.detail).toBe(
      '57P01 terminating connection',
    );
  });

  it.each<[string, unknown]>([
    [
      'a unique violation',
      prismaError('P2002', 'Unique constraint failed on the fields: (`username`)', {
        kind: 'UniqueConstraintViolation',
        originalCode: '23505',
        constraint: { fields: ['username'] },
      }),
    ],
    ['a record not found', prismaError('P2025', 'No record was found for an update.')],
    [
      'a statement timeout (57014): the database answered',
      prismaError(
        'P2010',
        'Raw query failed',
        postgresCause('57014', 'canceling statement due to statement timeout'),
      ),
    ],
    [
      'another transaction API error',
      prismaError('P2028', 'Transaction API error: Transaction already closed'),
    ],
    ['the embedded database, closed at shutdown', passedThrough('PGlite is closed')],
    [
      'a carrier call refused (a socket error outside Prisma)',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        errno: -111,
        isAxiosError: true,
      }),
    ],
    ['a domain error', new ConflictError('taken')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'Connection terminated unexpectedly'],
    ['nothing', undefined],
  ])('is not an outage: %s', (_name, error) => {
    expect(classifyDatabaseFault(error)).toBeUndefined();
  });

  it("counts a socket error inside a query pg sent itself (the webhook intake's), not one outside", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    expect(classifyDatabaseFault(new DriverQueryError(refused))).toMatchObject({ reason: 'unreachable' });
    expect(classifyDatabaseFault(refused)).toBeUndefined();
    expect(classifyDatabaseFault(new DriverQueryError(new TypeError('a bug')))).toBeUndefined();
  });

  it('does not loop on an error that is its own cause', () => {
    const error = new Error('odd') as Error & { cause?: unknown };
    error.cause = error;
    expect(classifyDatabaseFault(error)).toBeUndefined();
  });
});

describe('a failed multi-row write: one row refused, or the whole statement', () => {
  it.each([
    [
      'pg: jsonb refused an escape (22P05)',
      new DriverQueryError(pgDatabaseError('22P05', 'unsupported Unicode escape sequence')),
      true,
    ],
    ['pg: a unique key (23505)', new DriverQueryError(pgDatabaseError('23505', 'duplicate key value')), true],
    ['pg: a deadlock (40P01)', new DriverQueryError(pgDatabaseError('40P01', 'deadlock detected')), true],
    [
      'Prisma: bad input through the adapter (22P02)',
      prismaError('P2010', rawQuery('Raw query failed'), postgresCause('22P02', 'invalid input syntax')),
      true,
    ],
    [
      'pg: statement timeout (57014)',
      new DriverQueryError(pgDatabaseError('57014', 'canceling statement due to statement timeout')),
      false,
    ],
    [
      'pg: read-only during a failover (25006)',
      new DriverQueryError(pgDatabaseError('25006', 'read-only transaction')),
      false,
    ],
    ['pg: disk full (53100)', new DriverQueryError(pgDatabaseError('53100', 'could not extend file')), false],
    [
      'pg: connection lost (57P01)',
      new DriverQueryError(pgDatabaseError('57P01', 'terminating connection')),
      false,
    ],
    [
      'pg: connection refused',
      new DriverQueryError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      false,
    ],
    ['not a database error', new Error('something else'), false],
  ])('%s', (_name, error, refusal) => {
    expect(isRowRefusal(error)).toBe(refusal);
  });
});
