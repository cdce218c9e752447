import { Client } from 'pg';
import { LinesRepository } from '../../src/lines/persistence/lines.repository';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

const V1 = 'mdn.provisioning.v1';

/** PATCH with `status: DELETED` and other fields is a deletion too: one transaction, all or nothing. */
describe('PATCH /v1/users/:id with status DELETED and other changes', () => {
  let flow: FlowHarness;
  let database: Client;

  beforeAll(async () => {
    flow = await startFlow();
    const config = flow.database.config;
    database = new Client({ connectionString: config.kind === 'postgres' ? config.url : '' });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await flow.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  async function enabledUser(): Promise<{ id: string; company: string | null }> {
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    await flow.settle();
    const lines = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
    expect(lines.map((line: { status: string }) => line.status)).toEqual(['ENABLED']);
    return user;
  }

  const lastEventId = async () =>
    Number((await database.query('SELECT coalesce(max(id), 0) AS id FROM outbox_events')).rows[0].id);
  const eventsOf = async (userId: string, after: number) =>
    (
      await database.query<{ type: string; txid: string }>(
        'SELECT event_type AS type, txid::text FROM outbox_events WHERE key = $1 AND id > $2 ORDER BY id',
        [userId, after],
      )
    ).rows;

  it('changes the fields and deletes the user in one transaction', async () => {
    const user = await enabledUser();
    const before = await lastEventId();

    const response = await flow.admin.patch(`/v1/users/${user.id}`, {
      company: 'Analytical Engines',
      status: 'DELETED',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'DELETED', company: 'Analytical Engines' });

    const events = await eventsOf(user.id, before);
    expect(events.map((event) => event.type)).toEqual([
      `${V1}.UserUpdated`,
      `${V1}.NetworkStatusChanged`,
      `${V1}.UserDeleted`,
    ]);
    expect(new Set(events.map((event) => event.txid)).size).toBe(1);
  });

  it('a failure in the deletion keeps nothing: the fields unchanged, the user active, no event', async () => {
    const user = await enabledUser();
    const before = await lastEventId();
    jest
      .spyOn(flow.running.app.get(LinesRepository), 'applyTransitionIn')
      .mockRejectedValueOnce(new Error('the database went away'));

    const response = await flow.admin.patch(`/v1/users/${user.id}`, {
      company: 'Analytical Engines',
      status: 'DELETED',
    });
    expect(response.status).toBe(500);

    const stored = (await flow.admin.get(`/v1/users/${user.id}`)).body;
    expect(stored).toMatchObject({ status: 'ACTIVE', company: user.company });
    expect(stored.company).not.toBe('Analytical Engines');
    expect(await eventsOf(user.id, before)).toEqual([]);
  });

  it('a conflict in the changes deletes nothing: 409 naming the field, the user active', async () => {
    const other = await enabledUser();
    const user = await enabledUser();
    const otherMdn = (await flow.admin.get(`/v1/users/${other.id}`)).body.mdn;

    const response = await flow.admin.patch(`/v1/users/${user.id}`, { mdn: otherMdn, status: 'DELETED' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ details: [{ field: 'mdn' }] });
    expect((await flow.admin.get(`/v1/users/${user.id}`)).body.status).toBe('ACTIVE');
  });
});
