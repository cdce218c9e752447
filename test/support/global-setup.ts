import { Client } from 'pg';
import { adminDatabaseUrl } from './databases';

/**
 * Integration and e2e tests need the real PostgreSQL: fail here, loudly, rather than
 * skip. (Jest may call this once per project; the work is idempotent.)
 */
export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  const client = new Client({ connectionString: adminDatabaseUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${adminDatabaseUrl()}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
