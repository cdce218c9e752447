import { createPool } from '../../src/database/database';
import { adminDatabaseUrl, adminQuery } from '../support/databases';

/**
 * A PostgreSQL server killed under load drops connections that are checked out, not only
 * idle ones: the process must survive that (found by killing the server in crash.spec.ts).
 */
describe('the PostgreSQL pool when the server drops a connection in use', () => {
  it('keeps an error listener on every connection, and the process lives on', async () => {
    const logged: string[] = [];
    const logger = { info: () => undefined, error: (message: string) => void logged.push(message) };
    const pool = createPool(
      {
        kind: 'postgres',
        url: adminDatabaseUrl(),
        poolMax: 2,
        acquireTimeoutMs: 5_000,
        statementTimeoutMs: 30_000,
        migrateOnStart: false,
      },
      logger,
    );
    const client = await pool.connect();
    try {
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const closed = new Promise((resolve) => client.once('end', resolve));
      await adminQuery(`SELECT pg_terminate_backend(${rows[0].pid})`);
      await closed;
      expect(logged).toEqual(['PostgreSQL dropped pool connections']);
      // The pool carries on with a fresh connection.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release(true);
      await pool.end();
    }
  });
});
