import { randomUUID } from 'node:crypto';
import { IdempotencyKeysCleanupJob } from '../../src/idempotency/idempotency-keys-cleanup.job';
import { adminQuery } from '../support/databases';
import { startApiApp } from '../support/app';
import { ManualClock } from '../support/clock';
import { aUser } from '../support/factories';
import { apiClient, type ApiResponse, type Role } from '../support/http';

describe('Idempotency-Key', () => {
  const clock = new ManualClock(new Date('2026-11-01T12:00:00.000Z'));
  let api: Awaited<ReturnType<typeof startApiApp>>;

  beforeAll(async () => {
    api = await startApiApp(clock);
  });
  afterAll(() => api.stopAll());

  /** A client that sends this key on every request. */
  const withKey = (key: string, role: Role = 'admin') =>
    apiClient(api.baseUrl, role, { 'idempotency-key': key });
  const aKey = () => `key-${randomUUID()}`;
  const replayed = (response: ApiResponse) => response.headers.get('idempotent-replayed');
  const sql = (statement: string) => adminQuery(statement, databaseUrl());
  const databaseUrl = () => (api.config.database.kind === 'postgres' ? api.config.database.url : '');
  const usersNamed = async (username: string) =>
    (await api.admin.get<{ items: { id: string }[] }>(`/v1/users?q=${encodeURIComponent(username)}`)).body
      .items;

  it('POST /v1/users: the same key gets the same answer, marked as replayed', async () => {
    const key = aKey();
    const body = aUser({ network: 'att' });
    const first = await withKey(key).post('/v1/users', body);
    expect(first.status).toBe(201);
    expect(replayed(first)).toBeNull();

    const again = await withKey(key).post('/v1/users', body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(replayed(again)).toBe('true');
    expect(await usersNamed(body.username)).toHaveLength(1);
  });

  it('a business refusal (409, username taken) is stored and replayed, not run again', async () => {
    const taken = aUser();
    expect((await api.admin.post('/v1/users', taken)).status).toBe(201);
    const key = aKey();
    const body = aUser({ username: taken.username });

    const first = await withKey(key).post('/v1/users', body);
    expect(first.status).toBe(409);
    expect(first.body).toMatchObject({ error: 'conflict', details: [{ field: 'username' }] });

    // Free the username: a request that ran again would now succeed.
    const holder = (await usersNamed(taken.username))[0];
    await sql(`UPDATE users SET username = username || '-renamed' WHERE id = '${holder.id}'`);

    const again = await withKey(key).post('/v1/users', body);
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(replayed(again)).toBe('true');
  });

  it('the same key with another body is refused: 422 idempotency_key_reused', async () => {
    const key = aKey();
    expect((await withKey(key).post('/v1/users', aUser())).status).toBe(201);
    const other = await withKey(key).post('/v1/users', aUser());
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ error: 'idempotency_key_reused' });
  });

  it('a key is per principal: another principal with the same key makes a new request', async () => {
    const key = aKey();
    const mine = await withKey(key, 'admin').post('/v1/users', aUser());
    expect(mine.status).toBe(201);
    const theirs = await withKey(key, 'owner').post('/v1/users', aUser());
    expect(theirs.status).toBe(201);
    expect(replayed(theirs)).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('keys expire: after a day and the cleanup, the same key runs again', async () => {
    const key = aKey();
    const user = (await api.admin.post('/v1/users', aUser())).body as { id: string };
    const first = await withKey(key).patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' });
    expect(first.status).toBe(200);
    // Changed behind the key's back: a replay would still say Analytical Engines.
    expect((await api.admin.patch(`/v1/users/${user.id}`, { company: 'Difference Engines' })).status).toBe(
      200,
    );
    const replay = await withKey(key).patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' });
    expect(replayed(replay)).toBe('true');
    expect(replay.body.company).toBe('Analytical Engines');

    clock.advanceSeconds(25 * 3600);
    expect(await api.app.get(IdempotencyKeysCleanupJob).run()).toBeGreaterThan(0);
    const rerun = await withKey(key).patch(`/v1/users/${user.id}`, { company: 'Analytical Engines' });
    expect(rerun.status).toBe(200);
    expect(replayed(rerun)).toBeNull();
    expect((await api.admin.get(`/v1/users/${user.id}`)).body.company).toBe('Analytical Engines');
  });

  it('an expired registration key registers the new user, not the one registered with it a day before', async () => {
    const key = aKey();
    const first = await withKey(key).post('/v1/users', aUser());
    expect(first.status).toBe(201);

    clock.advanceSeconds(25 * 3600);
    await api.app.get(IdempotencyKeysCleanupJob).run();
    const body = aUser();
    const second = await withKey(key).post('/v1/users', body);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.username).toBe(body.username);
    // And that one's retry finds it again.
    expect((await withKey(key).post('/v1/users', body)).body.id).toBe(second.body.id);
  });

  it('a registration whose answer was lost after the commit: the retry gets the same user (201), not 409', async () => {
    const key = aKey();
    const body = aUser({ network: 'verizon' });
    const first = await withKey(key).post('/v1/users', body);
    expect(first.status).toBe(201);
    // The answer never got stored (the process died after the commit): only the user row knows the key.
    await sql(`DELETE FROM idempotency_keys WHERE key = '${key}'`);

    const retry = await withKey(key).post('/v1/users', body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(await usersNamed(body.username)).toHaveLength(1);
  });

  it('a registration whose answer was lost: the key with another body gets 422, not the earlier user', async () => {
    const key = aKey();
    const body = aUser({ network: 'att' });
    const first = await withKey(key).post('/v1/users', body);
    expect(first.status).toBe(201);
    // Committed, then a 5xx gave the key back: only the user row knows the key.
    await sql(`DELETE FROM idempotency_keys WHERE key = '${key}'`);

    const other = aUser({ network: 'att' });
    const reused = await withKey(key).post('/v1/users', other);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await usersNamed(other.username)).toHaveLength(0);

    // The first request's own retry still gets its user.
    const retry = await withKey(key).post('/v1/users', body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
  });
});
