import { readdirSync } from 'node:fs';
import { createPGlite, pgliteAdapterFactory } from '../../src/database/embedded-extensions';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/config';
import { createPool, migrate, openDatabase, type Database } from '../../src/database/database';
import { diffSql, MIGRATIONS_DIR, withSchemaEngine } from '../../src/database/schema-engine';
import {
  createEmbeddedDatabase,
  createPostgresDatabase,
  DATABASE_KINDS,
  type TestDatabase,
} from '../support/databases';

const quiet = { info: () => undefined, error: () => undefined };

describe.each(DATABASE_KINDS)('migrations on %s', (_kind, create) => {
  let target: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    target = await create();
    database = await openDatabase({ ...target.config, migrateOnStart: false }, quiet);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('creates the tables and _prisma_migrations, then has nothing left to apply', async () => {
    const first = await migrate(database);
    const folders = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) =>
      entry.isDirectory(),
    );
    expect(first).toEqual(folders.map((entry) => entry.name).sort());
    expect(first[0]).toBe('20261121000000_init');
    const tables = await database.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'network_lines', 'status_history', 'users']),
    );
    expect(await migrate(database)).toEqual([]);
    const recorded = await database.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
    expect(recorded[0].n).toBe(first.length);
  });

  it('builds the same columns as the migrations replayed on an embedded shadow', async () => {
    const shadow = await openDatabase(createEmbeddedDatabase().config, quiet);
    try {
      expect(await describeColumns(database)).toEqual(await describeColumns(shadow));
    } finally {
      await shadow.close();
    }
  });
});

describe('schema.prisma and prisma/migrations', () => {
  it('agree: the diff from the migrations to the schema is empty', async () => {
    const pglite = await createPGlite();
    try {
      await withSchemaEngine(pgliteAdapterFactory(pglite), async (engine) => {
        expect(await diffSql(engine, 'migrations', 'schema')).toBe('');
        expect(await diffSql(engine, 'empty', 'schema')).toContain('CREATE TABLE "users"');
      });
    } finally {
      await pglite.close();
    }
  });
});

async function describeColumns(database: Database) {
  return database.prisma.$queryRaw<unknown[]>`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    ORDER BY table_name, column_name`;
}

describe('PostgreSQL pool', () => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await createPostgresDatabase();
  });
  afterAll(() => target.drop());

  it('survives the server dropping every connection, as in a restart', async () => {
    const database = await openDatabase(target.config, quiet);
    try {
      await database.prisma.$queryRaw`SELECT 1`;
      const url = (target.config as { url: string }).url;
      const admin = new Client({ connectionString: url });
      await admin.connect();
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'mdn-provisioning'`,
      );
      await admin.end();
      expect(killed.rowCount).toBeGreaterThan(0);
      // The first query may meet a dead connection; the pool replaces it and the next works.
      await database.prisma.$queryRaw`SELECT 1`.catch(() => undefined);
      const rows = await database.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`;
      expect(rows[0].one).toBe(1);
    } finally {
      await database.close();
    }
  });

  it('fails a query instead of waiting forever when no connection can be had', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '300',
    });
    if (config.database.kind !== 'postgres') throw new Error('expected postgres config');
    const pool = createPool(config.database, quiet);
    const started = Date.now();
    await expect(pool.query('SELECT 1')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    await pool.end();
  });
});
