import { DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { apiClient, type ApiClient } from '../support/http';
import { ManualClock } from '../support/clock';
import { aUser } from '../support/factories';
import { startApp, testConfig, type RunningApp } from '../support/app';

describe.each(DATABASE_KINDS)('GET /v1/users filters and GET /v1/summary on %s', (_kind, createDatabase) => {
  let target: TestDatabase;
  let running: RunningApp;
  let admin: ApiClient;
  const clock = new ManualClock(new Date('2026-09-01T00:00:00.000Z'));
  const ids: Record<string, string> = {};

  const register = async (name: string, body: Record<string, unknown>) => {
    const response = await admin.post('/v1/users', aUser({ firstName: name, ...body }));
    ids[name] = response.body.id;
    return response.body.id as string;
  };
  const move = (name: string, network: string, status: string) =>
    admin.post(`/v1/users/${ids[name]}/networks/${network}/status`, { status });

  beforeAll(async () => {
    target = await createDatabase();
    running = await startApp(testConfig(target), { clock });
    admin = apiClient(running.baseUrl, 'admin');

    await register('Stale', { network: 'att' });
    await move('Stale', 'att', 'ENABLED');
    clock.advanceDays(40);
    await register('Green', { network: 'att', username: 'green.user', email: 'green@example.org' });
    await move('Green', 'att', 'ENABLED');
    await register('Red', { network: 'verizon' });
    await move('Red', 'verizon', 'NEW_REQUEST');
    await register('None', { network: 'tmobile' });
    await register('Suspended', { network: 'att' });
    await admin.patch(`/v1/users/${ids.Suspended}`, { status: 'SUSPENDED' });
    await register('Gone', { network: 'att' });
    await admin.delete(`/v1/users/${ids.Gone}`);
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  const names = async (query: string) => {
    const response = await admin.get(`/v1/users?${query}`);
    expect(response.status).toBe(200);
    return (response.body.items as { firstName: string }[]).map((user) => user.firstName);
  };

  it('filters by indicator, evaluated now', async () => {
    expect(await names('indicator=ORANGE')).toEqual(['Stale']);
    expect(await names('indicator=GREEN')).toEqual(['Green']);
    expect(await names('indicator=RED')).toEqual(['Red']);
    expect(await names('indicator=NONE')).toEqual(['None', 'Suspended']);
  });

  it('filters by network, network status and user status', async () => {
    expect(await names('network=verizon')).toEqual(['Red']);
    expect(await names('networkStatus=DISABLED')).toEqual([]);
    expect(await names('userStatus=DELETED&networkStatus=DISABLED')).toEqual(['Gone']);
    expect(await names('userStatus=SUSPENDED')).toEqual(['Suspended']);
    expect(await names('network=att&indicator=GREEN')).toEqual(['Green']);
  });

  it('searches names, username, MDN and email', async () => {
    expect(await names('q=green.user')).toEqual(['Green']);
    expect(await names('q=EXAMPLE.ORG')).toEqual(['Green']);
    expect(await names('q=Stal')).toEqual(['Stale']);
    expect(await names('q=%25')).toEqual([]);
  });

  it('leaves deleted users out unless asked for by status, and reads them by id', async () => {
    expect(await names('')).not.toContain('Gone');
    expect(await names('userStatus=DELETED')).toEqual(['Gone']);
    expect((await admin.get(`/v1/users/${ids.Gone}`)).body.status).toBe('DELETED');
  });

  it('pages with a cursor in a stable order', async () => {
    const first = await admin.get('/v1/users?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body).toMatchObject({ total: 5, totalIsExact: true });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await admin.get(`/v1/users?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map(
      (user: { firstName: string }) => user.firstName,
    );
    expect(all).toEqual(['Stale', 'Green', 'Red', 'None', 'Suspended']);
  });

  it('400 for a bad filter value or cursor', async () => {
    const bad = await admin.get('/v1/users?indicator=PURPLE&limit=0');
    expect(bad.status).toBe(400);
    expect((bad.body.details as { field: string }[]).map((problem) => problem.field).sort()).toEqual([
      'indicator',
      'limit',
    ]);
    expect((await admin.get('/v1/users?cursor=zzz')).status).toBe(400);
  });

  it('counts users per network and indicator, leaving out deleted users', async () => {
    const summary = (await admin.get('/v1/summary')).body;
    expect(summary).toEqual({
      att: { GREEN: 1, ORANGE: 1, RED: 0, NONE: 1 },
      tmobile: { GREEN: 0, ORANGE: 0, RED: 0, NONE: 1 },
      verizon: { GREEN: 0, ORANGE: 0, RED: 1, NONE: 0 },
    });
  });
});
