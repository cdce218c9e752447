import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { AppConfig } from '../../src/config/config';

/**
 * The server the tests use. `.ci/run` sets TEST_DATABASE_URL to the database it made for
 * the run; each test file then makes databases of its own beside it, so files never
 * share rows.
 */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  kind: 'embedded' | 'postgres';
  config: AppConfig['database'];
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const admin = adminDatabaseUrl();
  const base = new URL(admin).pathname.slice(1) || 'postgres';
  const name = `${base}_t_${randomBytes(5).toString('hex')}`.toLowerCase();
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    config: {
      kind: 'postgres',
      url: url.toString(),
      poolMax: 5,
      acquireTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
      migrateOnStart: true,
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export function createEmbeddedDatabase(): TestDatabase {
  return {
    kind: 'embedded',
    config: { kind: 'embedded', dataDir: 'memory://', migrateOnStart: true },
    drop: () => Promise.resolve(),
  };
}

/** Both database modes the service supports; integration tests run against each. */
export const DATABASE_KINDS = [
  ['embedded', createEmbeddedDatabase],
  ['postgres', createPostgresDatabase],
] as const;

/** Runs `sql` on the server's admin database, or on the one given. */
export async function adminQuery(sql: string, database = adminDatabaseUrl()): Promise<void> {
  const client = new Client({ connectionString: database });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
