import { type ApiClient } from '../support/http';
import { ManualClock } from '../support/clock';
import { aUser } from '../support/factories';
import { startApiApp } from '../support/app';

describe('networks API and the indicator over time', () => {
  let running: Awaited<ReturnType<typeof startApiApp>>;
  let admin: ApiClient;
  const clock = new ManualClock(new Date('2026-10-01T09:00:00.000Z'));

  beforeAll(async () => {
    running = await startApiApp(clock);
    admin = running.admin;
  });
  afterAll(() => running.stopAll());

  it('a Verizon line goes from New Request to Enabled to stale (ORANGE), with its history', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
    const move = (status: string, reason?: string) =>
      admin.post(`/v1/users/${user.id}/networks/verizon/status`, { status, reason });

    expect((await move('NEW_REQUEST')).body).toMatchObject({
      indicator: 'RED',
      indicatorReason: 'New Request',
    });
    clock.advanceDays(1);
    expect((await move('OPT_IN_SENT')).body).toMatchObject({
      indicator: 'RED',
      indicatorReason: 'Opt-In Sent',
    });
    expect((await move('OPT_IN_RESPONSE_RECEIVED')).body.indicatorReason).toBe('Opt-In Response Received');
    expect((await move('PENDING_PROVISIONING')).body.statusLabel).toBe('Pending provisioning');
    const enabledAt = clock.now().toISOString();
    const enabled = (await move('ENABLED')).body;
    expect(enabled).toMatchObject({
      status: 'ENABLED',
      indicator: 'GREEN',
      lastSeenAt: enabledAt,
      statusChangedAt: enabledAt,
    });
    expect(enabled.tooltip).toBe('Verizon: Enabled · since 2026-10-02 · last seen 2026-10-02');

    clock.advanceDays(30);
    expect((await admin.get(`/v1/users/${user.id}/networks`)).body[0].indicator).toBe('GREEN');
    clock.advanceDays(1);
    const stale = (await admin.get(`/v1/users/${user.id}/networks`)).body[0];
    expect(stale).toMatchObject({ status: 'ENABLED', indicator: 'ORANGE', indicatorReason: null });

    const history = (await admin.get(`/v1/users/${user.id}/networks/verizon/history`)).body;
    expect(history.map((entry: { to: string }) => entry.to)).toEqual([
      'ENABLED',
      'PENDING_PROVISIONING',
      'OPT_IN_RESPONSE_RECEIVED',
      'OPT_IN_SENT',
      'NEW_REQUEST',
    ]);
    expect(history[4]).toMatchObject({
      from: 'NO_STATUS',
      to: 'NEW_REQUEST',
      source: 'API',
      occurredAt: '2026-10-01T09:00:00.000Z',
    });

    // A new sighting turns it green again.
    const seen = await admin.post(`/v1/users/${user.id}/networks/verizon/sightings`, {});
    expect(seen.body.indicator).toBe('GREEN');
  });

  it('a forbidden move is refused with 409 and changes nothing', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
    const refused = await admin.post(`/v1/users/${user.id}/networks/verizon/status`, { status: 'ENABLED' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: 'transition_not_allowed',
      details: { from: 'NO_STATUS', to: 'ENABLED', allowed: ['NEW_REQUEST', 'DISABLED'] },
    });
    expect((await admin.get(`/v1/users/${user.id}/networks`)).body[0].status).toBe('NO_STATUS');
    expect((await admin.get(`/v1/users/${user.id}/networks/verizon/history`)).body).toEqual([]);
  });

  it('a failure keeps its reason: Unable to Provision shows Invalid Number', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
    await admin.post(`/v1/users/${user.id}/networks/verizon/status`, { status: 'NEW_REQUEST' });
    const failed = await admin.post(`/v1/users/${user.id}/networks/verizon/status`, {
      status: 'UNABLE_TO_PROVISION',
      reason: 'Invalid Number',
    });
    expect(failed.body).toMatchObject({
      indicator: 'RED',
      indicatorReason: 'Invalid Number',
      reason: 'Invalid Number',
    });
    expect(failed.body.tooltip).toContain('Unable to Provision (Invalid Number)');
  });

  it('404 for a network the user has none of, or one that does not exist', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
    expect((await admin.get(`/v1/users/${user.id}/networks/verizon/history`)).status).toBe(404);
    const unknown = await admin.get(`/v1/users/${user.id}/networks/sprint/history`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('Unknown network sprint');
  });

  it('400 for a status that does not exist', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
    const response = await admin.post(`/v1/users/${user.id}/networks/att/status`, { status: 'GREEN' });
    expect(response.status).toBe(400);
    expect(response.body.details[0].field).toBe('status');
  });
});
