import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPGlite } from '../../src/database/embedded-extensions';
import { Client } from 'pg';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { waitForExit } from '../support/process';

const MIGRATE_JS = join(__dirname, '../../dist/src/database/cli/migrate.js');

/** `npm run db:migrate` as its own process (npm test builds it first), on a URL or a data directory. */
function spawnMigrate(target: string) {
  const database = target.startsWith('postgres') ? { DATABASE_URL: target } : { DATA_DIR: target };
  const child = spawn(process.execPath, [MIGRATE_JS], {
    env: { PATH: process.env.PATH, ...database },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every table, enum, index and constraint the schema has: what a complete migration leaves. */
function schemaOf(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ item: string }>(`
      SELECT 'table ' || table_name AS item FROM information_schema.tables WHERE table_schema = 'public'
      UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'type ' || typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype = 'e'
      UNION ALL SELECT 'constraint ' || conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public'
      ORDER BY 1`);
    return rows.map((row) => row.item);
  });
}

/**
 * Kills the migration while it is part-way through the first migration: another session
 * holds, uncommitted, an object the migration is about to create, so the migration waits
 * on it right after the statements before it ran. Then the blocker goes away.
 */
async function killWhileWaitingOn(url: string, blockerSql: string): Promise<void> {
  await withClient(url, async (blocker) => {
    await blocker.query('BEGIN');
    await blocker.query(blockerSql);
    const child = spawnMigrate(url);
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`migrate exited early:\n${child.output()}`);
        return withClient(url, async (client) => {
          const { rows } = await client.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'mdn-provisioning-migrate'
                 AND wait_event_type = 'Lock'`,
          );
          return rows.length > 0 ? true : undefined;
        });
      }, 20_000);
    } finally {
      child.kill('SIGKILL');
      await waitForExit(child);
      await blocker.query('ROLLBACK');
    }
  });
}

async function unfinishedMigrations(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL`,
    );
    return rows[0].count;
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function migrateToEnd(url: string): Promise<{ code: number | null; output: string }> {
  const child = spawnMigrate(url);
  const code = await waitForExit(child, 60_000);
  return { code, output: child.output() };
}

describe('a migration killed part-way (SIGKILL), on PostgreSQL', () => {
  const databases: TestDatabase[] = [];
  const database = async () => {
    const made = await createPostgresDatabase();
    databases.push(made);
    return made.config.kind === 'postgres' ? made.config.url : '';
  };
  afterAll(() => Promise.all(databases.map((each) => each.drop())));

  it('leaves nothing that stops the next run: several kills, then the schema is complete', async () => {
    const url = await database();
    // Three kills inside the first migration, at its start, middle and end.
    await killWhileWaitingOn(url, `CREATE TYPE "Indicator" AS ENUM ('BLOCKER')`);
    expect(await unfinishedMigrations(url)).toBe(1);
    await killWhileWaitingOn(url, `CREATE TABLE "status_history" (blocker int)`);
    await killWhileWaitingOn(url, `CREATE TABLE "status_history_line_id_occurred_at_idx" (blocker int)`);
    // And kills at random moments of a run.
    for (let round = 0; round < 3; round++) {
      const child = spawnMigrate(url);
      await pause(200 + Math.random() * 1500);
      child.kill('SIGKILL');
      await waitForExit(child);
    }

    const last = await migrateToEnd(url);
    expect(last).toMatchObject({ code: 0 });
    expect(await unfinishedMigrations(url)).toBe(0);

    const reference = await database();
    expect(await migrateToEnd(reference)).toMatchObject({ code: 0 });
    const complete = await schemaOf(reference);
    expect(complete.length).toBeGreaterThan(20);
    expect(await schemaOf(url)).toEqual(complete);
    // Running it again changes nothing.
    expect((await migrateToEnd(url)).output).toMatch(/No pending migrations/);
  });
});

describe('a migration killed part-way (SIGKILL), on the embedded database', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdn-migrate-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** The same inventory as on PostgreSQL, read by opening the directory (nothing else has it open). */
  async function embeddedSchema(dir: string): Promise<string[]> {
    const pglite = await createPGlite(dir);
    try {
      const { rows } = await pglite.query<{ item: string }>(`
        SELECT 'table ' || table_name AS item FROM information_schema.tables WHERE table_schema = 'public'
        UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT 'pending ' || migration_name FROM _prisma_migrations
          WHERE finished_at IS NULL AND rolled_back_at IS NULL
        ORDER BY 1`);
      return rows.map((row) => row.item);
    } finally {
      await pglite.close();
    }
  }

  it('kills at random moments of the first run, then the next run completes the schema', async () => {
    const dir = dataDir();
    // A first run takes about four seconds here (creating the directory, then migrating):
    // kills land all over it, the migrations included.
    for (const at of [1500, 2200, 2900, 3600].map((ms) => ms + Math.random() * 600)) {
      const child = spawnMigrate(dir);
      await pause(at);
      child.kill('SIGKILL');
      await waitForExit(child);
    }
    expect(await migrateToEnd(dir)).toMatchObject({ code: 0 });

    const reference = dataDir();
    expect(await migrateToEnd(reference)).toMatchObject({ code: 0 });
    const complete = await embeddedSchema(reference);
    expect(complete.length).toBeGreaterThan(20);
    expect(await embeddedSchema(dir)).toEqual(complete);
  });
});
