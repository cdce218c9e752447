import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../src/database/database';
import { classifyDatabaseFault } from '../../src/database/database-fault';
import { acrossOrganizations, actingForOrganization } from '../../src/database/data-scope';
import { DatabaseService, NoDataScopeError, type SqlTransaction } from '../../src/database/database.service';
import { DEFAULT_ORGANIZATION } from '../../src/organizations/domain/default-organization';
import { appendBulkToOutbox } from '../../src/outbox/outbox.writer';
import { adminQuery, DATABASE_KINDS, type TestDatabase } from '../support/databases';

const quiet = { info: () => undefined, error: () => undefined };

/*
 * DatabaseService.transactionAcrossOrganizations: the staleness sweep's transactions, whose
 * statements `pg` sends itself on PostgreSQL and Prisma on the embedded database.
 */
describe.each(DATABASE_KINDS)('a transaction across organisations on %s', (kind, create) => {
  let target: TestDatabase;
  let database: Database;
  let service: DatabaseService;

  beforeAll(async () => {
    target = await create();
    database = await openDatabase(target.config, quiet);
    service = new DatabaseService(database);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  const across = <T>(work: (sql: SqlTransaction) => Promise<T>) =>
    acrossOrganizations('under test', () => service.transactionAcrossOrganizations(work));

  /** Two events under a key of their own, written through the outbox's bulk form. */
  const twoEvents = (key: string) =>
    [1, 2].map(() => ({
      eventId: randomUUID(),
      eventType: 'test.Event',
      key,
      organizationId: DEFAULT_ORGANIZATION.id,
      payload: new Uint8Array([1, 2, 3]),
    }));

  const stored = async (key: string) => {
    const [row] = await acrossOrganizations('under test', () =>
      service.run((db) =>
        db.$queryRawUnsafe<{ n: number; payload: Uint8Array | null }[]>(
          'SELECT count(*)::int AS n, (array_agg(payload))[1] AS payload FROM outbox_events WHERE key = $1',
          key,
        ),
      ),
    );
    return { n: row.n, payload: row.payload && Buffer.from(row.payload) };
  };

  it('commits what its statements wrote, all at once, and reads its own writes', async () => {
    const key = randomUUID();
    const seen = await across(async (sql) => {
      await appendBulkToOutbox(sql, twoEvents(key));
      return sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_events WHERE key = $1', [key]);
    });
    expect(seen).toEqual([{ n: 2 }]);
    expect(await stored(key)).toEqual({ n: 2, payload: Buffer.from([1, 2, 3]) });
  });

  it('rolls all of it back when the work fails, and passes the work’s own error on', async () => {
    const key = randomUUID();
    const failure = new Error('the work failed');
    await expect(
      across(async (sql) => {
        await appendBulkToOutbox(sql, twoEvents(key));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await stored(key)).n).toBe(0);
  });

  it('fails on a refused statement, and the next transaction runs as ever', async () => {
    const key = randomUUID();
    await expect(
      across(async (sql) => {
        await appendBulkToOutbox(sql, twoEvents(key));
        await sql.query('SELECT 1 / 0', []);
      }),
    ).rejects.toThrow();
    expect((await stored(key)).n).toBe(0);
    await across((sql) => appendBulkToOutbox(sql, twoEvents(key)));
    expect((await stored(key)).n).toBe(2);
  });

  it('runs only across organisations: never for one, never with no scope', async () => {
    const work = (sql: SqlTransaction) => sql.query('SELECT 1 AS one', []);
    await expect(
      actingForOrganization(DEFAULT_ORGANIZATION.id, () => service.transactionAcrossOrganizations(work)),
    ).rejects.toThrow(/one organisation’s scope/);
    await expect(service.transactionAcrossOrganizations(work)).rejects.toBeInstanceOf(NoDataScopeError);
  });

  if (kind === 'postgres') {
    it('closes a connection lost inside it instead of pooling it again', async () => {
      const key = randomUUID();
      let killed = 0;
      const failed = await across(async (sql) => {
        await appendBulkToOutbox(sql, twoEvents(key));
        const [{ pid }] = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
        killed = pid;
        await adminQuery(`SELECT pg_terminate_backend(${pid})`);
        await sql.query('SELECT 1', []);
      }).catch((error: unknown) => error);
      expect(classifyDatabaseFault(failed)?.reason).toBe('connection_lost');
      expect((await stored(key)).n).toBe(0);
      // The pool hands out its most recently released connection first: the killed one,
      // had it gone back.
      const pids = await across((sql) => sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', []));
      expect(pids[0].pid).not.toBe(killed);
    });
  }
});
