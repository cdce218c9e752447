import { Client } from 'pg';
import { expectSettled, runCrashScenario } from '../support/crash-scenario';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';

/**
 * Issue 9's "done when", the database's part: PostgreSQL itself is killed (SIGKILL of the
 * postmaster and its backends, on a private server) in the middle of the flow and started
 * again. The service lives through it, and nothing stays stranded.
 */
describe('PostgreSQL killed in the middle of the flow', () => {
  let server: PrivatePostgres;

  beforeAll(async () => {
    server = await startPrivatePostgres();
  });
  afterAll(() => server.destroy());

  it('twice, then started again: the service carries on and every line reaches its end', async () => {
    const result = await runCrashScenario({
      users: 300,
      registrations: 24,
      serviceKills: 0,
      postgres: { server, kills: 2 },
      databaseEnv: {
        DATABASE_URL: server.url,
        DB_MIGRATE_ON_START: 'true',
        DB_POOL_ACQUIRE_TIMEOUT_MS: '2000',
      },
      inspect: async (sql) => {
        const client = new Client({ connectionString: server.url });
        await client.connect();
        try {
          return (await client.query<Record<string, unknown>>(sql)).rows;
        } finally {
          await client.end();
        }
      },
    });
    expectSettled(result, 'PostgreSQL killed');
  }, 300_000);
});
