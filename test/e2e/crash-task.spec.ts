import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { ServiceUnderTest } from '../support/crash';
import { createPostgresDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { freePort } from '../support/process';
import { finishedTask, getTask, uploadImport, type TaskBody } from '../support/tasks';
import { TEST_TOKENS } from '../support/tokens';

/** A CSV of `count` new users. */
function csvOf(count: number): string {
  const lines = ['First Name,Last Name,Login,Mobile Phone number,Email Address,Network'];
  for (let i = 0; i < count; i++) {
    const user = aUser();
    lines.push([user.firstName, user.lastName, user.username, user.mdn, user.email, 'att'].join(','));
  }
  return lines.join('\n');
}

type Inspect = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * The Task Center's "done when": the service is killed (SIGKILL) in the middle of an
 * import task; while it is down the database holds none of the file's users or all of
 * them, never part; started again, the task is taken over once its lease lapses and
 * ends SUCCEEDED with every user imported once.
 */
async function killMidImport(databaseEnv: NodeJS.ProcessEnv, inspect: Inspect, rows: number) {
  const service = new ServiceUnderTest(await freePort(), {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
      .map(([role, token]) => `${role}:${token}`)
      .join(','),
    CARRIER_SIMULATOR: 'on',
    PROVISION_ON_REGISTER: 'false',
    TASK_LEASE_SECONDS: '3',
    TASK_POLL_MS: '200',
    ...databaseEnv,
  });
  try {
    await service.start();
    const response = await uploadImport(service.baseUrl, csvOf(rows), { type: 'text/csv' });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as TaskBody;
    // Killed once every row is checked, or once the service is too busy to answer within
    // half a second (the embedded database's one connection is in the import's transaction).
    for (;;) {
      await sleep(20);
      const seen = await getTask(service.baseUrl, id, AbortSignal.timeout(500)).catch(() => undefined);
      if (!seen || seen.progress.rowsChecked >= rows) break;
      expect(seen.state).not.toBe('SUCCEEDED');
    }
    await sleep(100);
    await service.kill();

    const [{ users }] = await inspect('SELECT count(*)::int AS users FROM users');
    expect([0, rows]).toContain(users);
    const [stored] = await inspect(`SELECT state::text AS state, attempts FROM tasks WHERE id = '${id}'`);
    expect(stored).toEqual({ state: 'RUNNING', attempts: 1 });

    await service.start({ DB_MIGRATE_ON_START: 'false' });
    const task = await finishedTask(service.baseUrl, id, 120_000);
    expect(task).toMatchObject({ state: 'SUCCEEDED', attempts: 2, result: { imported: rows } });
    await service.stop();
    const [after] = await inspect(
      'SELECT count(*)::int AS users, count(DISTINCT username)::int AS distinct FROM users',
    );
    expect(after).toEqual({ users: rows, distinct: rows });
    return { killedWith: users };
  } finally {
    await service.stop();
  }
}

describe('an import task whose service is killed mid-import', () => {
  it('on PostgreSQL: taken over after its lease, imported once, never half', async () => {
    const database = await createPostgresDatabase();
    if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const url = database.config.url;
    try {
      await killMidImport(
        { DATABASE_URL: url, DB_MIGRATE_ON_START: 'true' },
        (sql) => query(url, sql),
        20_000,
      );
    } finally {
      await database.drop();
    }
  }, 300_000);

  it('on the embedded database: the same', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mdn-task-crash-'));
    try {
      await killMidImport(
        { DATA_DIR: dataDir },
        async (sql) => {
          const database = await PGlite.create(dataDir);
          try {
            return (await database.query<Record<string, unknown>>(sql)).rows;
          } finally {
            await database.close();
          }
        },
        20_000,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}
