import { apiClient, type ApiClient } from '../support/http';
import { ManualClock } from '../support/clock';
import { aUser } from '../support/factories';
import { startApiApp } from '../support/app';

describe('users API', () => {
  let running: Awaited<ReturnType<typeof startApiApp>>;
  let admin: ApiClient;
  const clock = new ManualClock();

  beforeAll(async () => {
    running = await startApiApp(clock);
    admin = running.admin;
  });
  afterAll(() => running.stopAll());

  describe('POST /v1/users', () => {
    it('registers a user, normalising the MDN to E.164, with a line on the given network', async () => {
      const body = aUser({ mdn: '(201) 555-7788', network: 'verizon', company: 'Acme', udid: 'U-1' });
      const response = await admin.post('/v1/users', body);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        username: body.username,
        mdn: '+12015557788',
        status: 'ACTIVE',
        company: 'Acme',
        networks: [
          {
            network: 'verizon',
            status: 'NO_STATUS',
            statusLabel: 'No Status',
            indicator: 'RED',
            indicatorReason: 'No Status',
          },
        ],
      });
    });

    it('without a network, the user has no line yet', async () => {
      const response = await admin.post('/v1/users', aUser());
      expect(response.status).toBe(201);
      expect(response.body.networks).toEqual([]);
    });

    it('400 lists every bad field and why', async () => {
      const response = await admin.post('/v1/users', {
        firstName: '',
        mdn: '12',
        email: 'not-an-email',
        network: 'sprint',
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('validation_failed');
      const fields = (response.body.details as { field: string }[]).map((problem) => problem.field);
      expect(new Set(fields)).toEqual(
        new Set(['firstName', 'lastName', 'username', 'mdn', 'email', 'network']),
      );
      expect(response.body.details).toContainEqual({
        field: 'mdn',
        reason: 'has the wrong number of digits for its country',
      });
    });

    it('400 for a field the API does not know', async () => {
      const response = await admin.post('/v1/users', { ...aUser(), password: 'hunter2' });
      expect(response.status).toBe(400);
      expect(response.body.details).toContainEqual({
        field: 'password',
        reason: 'property password should not exist',
      });
    });

    it('409 for a duplicate username or MDN, naming the field', async () => {
      const first = aUser();
      expect((await admin.post('/v1/users', first)).status).toBe(201);
      const sameName = await admin.post('/v1/users', aUser({ username: first.username }));
      expect(sameName.status).toBe(409);
      expect(sameName.body).toMatchObject({ error: 'conflict', details: [{ field: 'username' }] });
      const sameMdn = await admin.post('/v1/users', aUser({ mdn: first.mdn }));
      expect(sameMdn.status).toBe(409);
      expect(sameMdn.body.details).toEqual([{ field: 'mdn', reason: 'already taken' }]);
    });
  });

  describe('GET, PATCH, DELETE /v1/users/:id', () => {
    it('reads a user, 404 for an unknown one, 400 for a malformed id', async () => {
      const created = (await admin.post('/v1/users', aUser())).body;
      expect((await admin.get(`/v1/users/${created.id}`)).body.username).toBe(created.username);
      expect((await admin.get('/v1/users/01936b2e-1234-7890-8123-456789012345')).status).toBe(404);
      expect((await admin.get('/v1/users/nope')).status).toBe(400);
    });

    it('changes names, email, MDN and user status', async () => {
      const created = (await admin.post('/v1/users', aUser())).body;
      const response = await admin.patch(`/v1/users/${created.id}`, {
        firstName: 'Grace',
        email: 'grace@example.com',
        mdn: '201-555-9911',
        status: 'SUSPENDED',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        firstName: 'Grace',
        email: 'grace@example.com',
        mdn: '+12015559911',
        status: 'SUSPENDED',
      });
      const locked = await admin.patch(`/v1/users/${created.id}`, { status: 'LOCKED' });
      expect(locked.body.status).toBe('LOCKED');
    });

    it('PATCH refuses an unknown user status and a bad MDN', async () => {
      const created = (await admin.post('/v1/users', aUser())).body;
      const response = await admin.patch(`/v1/users/${created.id}`, { status: 'GONE', mdn: 'abc' });
      expect(response.status).toBe(400);
      expect((response.body.details as { field: string }[]).map((problem) => problem.field).sort()).toEqual([
        'mdn',
        'status',
      ]);
    });

    it('DELETE marks the user Deleted and disables every network, with history', async () => {
      const created = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
      await admin.post(`/v1/users/${created.id}/networks/att/status`, { status: 'ENABLED' });
      const response = await admin.delete(`/v1/users/${created.id}`);
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('DELETED');
      expect(response.body.networks[0]).toMatchObject({ network: 'att', status: 'DISABLED' });
      const history = (await admin.get(`/v1/users/${created.id}/networks/att/history`)).body;
      expect(history[0]).toMatchObject({
        from: 'ENABLED',
        to: 'DISABLED',
        source: 'API',
        detail: 'user deleted',
      });
    });
  });

  describe('access', () => {
    it('401 without a token or with a wrong one', async () => {
      const anonymous = await apiClient(running.baseUrl, null).get('/v1/users');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error).toBe('unauthorized');
      const wrong = await fetch(`${running.baseUrl}/v1/users`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
    });

    it('members read but cannot change: 403', async () => {
      const member = apiClient(running.baseUrl, 'member');
      expect((await member.get('/v1/users')).status).toBe(200);
      const refused = await member.post('/v1/users', aUser());
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden');
    });

    it('owners change too', async () => {
      expect((await apiClient(running.baseUrl, 'owner').post('/v1/users', aUser())).status).toBe(201);
    });

    it('health stays open', async () => {
      expect((await apiClient(running.baseUrl, null).get('/health/live')).status).toBe(200);
    });
  });
});
