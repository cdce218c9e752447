import { Client } from 'pg';
import { LinesRepository } from '../../src/lines/persistence/lines.repository';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

const V1 = 'mdn.provisioning.v1';

/** Deleting a user is one transaction: lines disabled, their history and events, the user Deleted, UserDeleted. */
describe('DELETE /v1/users/:id', () => {
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

  /** A user with a Verizon line waiting for its opt-in reply and an enabled AT&T line. */
  async function userOnTwoNetworks(): Promise<{ id: string; mdn: string }> {
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
    expect((await flow.admin.post(`/v1/users/${user.id}/networks/att/provision`)).status).toBe(202);
    await flow.settle();
    const lines = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body;
    expect(lines.map((line: { status: string }) => line.status)).toEqual(['ENABLED', 'OPT_IN_SENT']);
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

  it('disables every line and writes their history, their events and UserDeleted in one transaction', async () => {
    const user = await userOnTwoNetworks();
    const before = await lastEventId();

    const response = await flow.admin.delete(`/v1/users/${user.id}`);
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('DELETED');

    const events = await eventsOf(user.id, before);
    expect(events.map((event) => event.type)).toEqual([
      `${V1}.NetworkStatusChanged`,
      `${V1}.NetworkStatusChanged`,
      `${V1}.UserDeleted`,
    ]);
    expect(new Set(events.map((event) => event.txid)).size).toBe(1);

    for (const network of ['att', 'verizon']) {
      const history = (await flow.admin.get(`/v1/users/${user.id}/networks/${network}/history`)).body;
      expect(history[0]).toMatchObject({ to: 'DISABLED', source: 'API', detail: 'user deleted' });
    }
    const lines = await database.query(
      `SELECT status, desired, reconcile_at, inflight_key FROM network_lines WHERE user_id = $1`,
      [user.id],
    );
    expect(lines.rows).toEqual([
      { status: 'DISABLED', desired: 'DISABLED', reconcile_at: null, inflight_key: null },
      { status: 'DISABLED', desired: 'DISABLED', reconcile_at: null, inflight_key: null },
    ]);

    // Nothing is left for the reconciler: no more texts, however long one waits.
    const texts = flow.simulator.textsTo(user.mdn).length;
    flow.clock.advanceDays(2);
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(texts);
  });

  it('a failure part way writes nothing: no line disabled, no event, the user still active', async () => {
    const user = await userOnTwoNetworks();
    const before = await lastEventId();
    const lines = flow.running.app.get(LinesRepository);
    const original = lines.applyTransitionIn.bind(lines);
    jest
      .spyOn(lines, 'applyTransitionIn')
      .mockImplementationOnce(original)
      .mockRejectedValueOnce(new Error('the database went away'));

    const response = await flow.admin.delete(`/v1/users/${user.id}`);
    expect(response.status).toBe(500);

    expect(await eventsOf(user.id, before)).toEqual([]);
    expect((await flow.admin.get(`/v1/users/${user.id}`)).body.status).toBe('ACTIVE');
    const statuses = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body.map(
      (line: { status: string }) => line.status,
    );
    expect(statuses).toEqual(['ENABLED', 'OPT_IN_SENT']);
  });
});
