import { acrossOrganizations } from '../../src/database/data-scope';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseService } from '../../src/database/database.service';
import { startApiApp } from '../support/app';
import { createEmbeddedDatabase, createPostgresDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { apiClient, type ApiResponse } from '../support/http';
import { freePort, spawnService, waitForExit, waitForHttp } from '../support/process';
import { TEST_TOKENS } from '../support/tokens';

/**
 * An Idempotency-Key held by a request whose process died: the retry is served promptly
 * (not 409 "still at work" for a minute), and a live request's key is never taken from it.
 * Requests are held at work by a lock on the users table, taken by the test.
 */
describe('an Idempotency-Key whose request is at work', () => {
  let target: TestDatabase;
  let url: string;
  let locker: Client;
  const children: ReturnType<typeof spawnService>[] = [];

  beforeAll(async () => {
    target = await createPostgresDatabase();
    url = target.config.kind === 'postgres' ? target.config.url : '';
    locker = new Client({ connectionString: url });
    await locker.connect();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await locker.end();
    await target.drop();
  });

  async function startService(): Promise<{ child: ReturnType<typeof spawnService>; baseUrl: string }> {
    const port = await freePort();
    const child = spawnService({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      DB_MIGRATE_ON_START: 'true',
      CARRIER_SIMULATOR: 'off',
      PROVISION_ON_REGISTER: 'false',
      JOBS_INTERVAL_SECONDS: '3600',
      ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
        .map(([role, token]) => `${role}:${token}`)
        .join(','),
    });
    children.push(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    const ready = await waitForHttp(`${baseUrl}/health/ready`);
    if (ready.status !== 200) throw new Error(`not ready: ${child.output().stderr}`);
    return { child, baseUrl };
  }

  /** Registrations wait at their first read of users until the lock goes (before any transaction of theirs). */
  async function holdUsers(): Promise<() => Promise<void>> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await locker.query('ROLLBACK');
    };
  }

  async function keyAtWork(key: string): Promise<true | undefined> {
    const { rows } = await locker.query(
      'SELECT 1 FROM idempotency_keys WHERE key = $1 AND status_code IS NULL',
      [key],
    );
    return rows.length === 1 ? true : undefined;
  }

  async function usersNamed(username: string): Promise<number> {
    const { rows } = await locker.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM users WHERE username = $1',
      [username],
    );
    return rows[0].count;
  }

  it('after the process is killed mid-request, a retry on a new process is served within seconds, once', async () => {
    const key = `key-${randomUUID()}`;
    const body = aUser();
    const first = await startService();
    const release = await holdUsers();
    const pending = apiClient(first.baseUrl, 'admin', { 'idempotency-key': key })
      .post('/v1/users', body)
      .catch(() => undefined); // its process dies under it
    await eventually(() => keyAtWork(key));

    first.child.kill('SIGKILL');
    await waitForExit(first.child);
    await pending;
    await release();

    const second = await startService();
    const client = apiClient(second.baseUrl, 'admin', { 'idempotency-key': key });
    const started = Date.now();
    let retry: ApiResponse;
    for (;;) {
      retry = await client.post('/v1/users', body);
      if (retry.status !== 409 || Date.now() - started > 45_000) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(retry.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await usersNamed(body.username)).toBe(1);
    // And from now on it is answered, not run again.
    const again = await client.post('/v1/users', body);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(retry.body.id);
  });

  it('a live request keeps its key however long it works: a retry meanwhile gets 409, then the one answer', async () => {
    const key = `key-${randomUUID()}`;
    const body = aUser();
    const service = await startService();
    const client = apiClient(service.baseUrl, 'admin', { 'idempotency-key': key });
    const release = await holdUsers();
    const first = client.post('/v1/users', body);
    await eventually(() => keyAtWork(key));

    // Longer than a lease: the working process renews it.
    await new Promise((resolve) => setTimeout(resolve, 13_000));
    const meanwhile = await client.post('/v1/users', body);
    expect(meanwhile.status).toBe(409);

    await release();
    const answered = await first;
    expect(answered.status).toBe(201);
    const replay = await client.post('/v1/users', body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(answered.body.id);
    expect(await usersNamed(body.username)).toBe(1);
  });
});

describe('an Idempotency-Key at work on the embedded database', () => {
  it('is taken over at once from any other process: only one process ever has the directory', async () => {
    const api = await startApiApp(undefined, () => Promise.resolve(createEmbeddedDatabase()));
    try {
      const user = (await api.admin.post('/v1/users', aUser())).body as { id: string };
      const key = `key-${randomUUID()}`;
      const client = apiClient(api.baseUrl, 'admin', { 'idempotency-key': key });
      expect((await client.patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' })).status).toBe(
        200,
      );
      // Back to at work, as a process killed mid-request leaves it: its lease far from over.
      const changed = await acrossOrganizations('test', () =>
        api.app.get(DatabaseService).run(
          (db) => db.$executeRaw`
            UPDATE idempotency_keys SET status_code = NULL, body = NULL, owner = 'a-process-killed-before',
              lease_until = now() + interval '1 hour' WHERE key = ${key}`,
        ),
      );
      expect(changed).toBe(1);

      const retry = await client.patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' });
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      const replay = await client.patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await api.stopAll();
    }
  });
});
