import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from '../../src/simulator/carrier-simulator';
import { aUser } from '../support/factories';
import { readJson } from '../support/http';
import { startFlow, type FlowHarness } from '../support/flow';
import { signedPost } from '../support/signed';
import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';
import { snapshotRows } from '../support/snapshot';

/** Bad input at the edge: each gets a clear 4xx naming what is wrong, and changes nothing. */
describe('bad input is refused at the edge', () => {
  let flow: FlowHarness;
  let user: { id: string; mdn: string };
  // A key rotation in progress: the new secret first, the old one still accepted.
  const attSecret = newWebhookSecret();
  const oldAttSecret = newWebhookSecret();

  beforeAll(async () => {
    flow = await startFlow({
      PROVISION_ON_REGISTER: 'false',
      CARRIER_ATT_WEBHOOK_SECRET: `${attSecret},${oldAttSecret}`,
    });
    user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
  });
  afterAll(() => flow.stop());

  const carrierUrl = () => `${flow.running.baseUrl}/v1/webhooks/carriers/att`;
  const callback = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'provisioning.updated',
      callbackId: `cb-${Math.random()}`,
      occurredAt: flow.clock.now().toISOString(),
      mdn: user.mdn,
      status: 'ENABLED',
      ...overrides,
    });

  /**
   * Runs `act` and checks that no row changed, once the inbox has applied what it was
   * given before (its worker would within milliseconds) and what `act` gave it.
   */
  async function unchanged(act: () => Promise<void>): Promise<void> {
    await flow.runJob(WebhookInboxJob);
    const before = await snapshotRows(flow.database);
    await act();
    await flow.runJob(WebhookInboxJob);
    expect(await snapshotRows(flow.database)).toEqual(before);
  }

  const rawPost = (path: string, body: string) =>
    fetch(`${flow.running.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${'admin-token-0123456789abcdef'}`,
        'content-type': 'application/json',
      },
      body,
    });

  it('400 naming the field for a NUL or other control character in a body, a query or a path', async () => {
    await unchanged(async () => {
      const body = await flow.admin.post('/v1/users', aUser({ firstName: 'Ada\u0000' }));
      expect(body.status).toBe(400);
      expect(body.body.details).toEqual([
        { field: 'firstName', reason: 'must not contain control characters' },
      ]);
      const escape = await flow.admin.post('/v1/users', aUser({ lastName: 'Love\u001b[31mlace' }));
      expect(escape.status).toBe(400);
      const query = await flow.admin.get('/v1/users?q=%00');
      expect(query.status).toBe(400);
      expect(query.body.details[0].field).toBe('query.q');
      const path = await flow.admin.get('/v1/users/%00/networks');
      expect(path.status).toBe(400);
    });
  });

  it('400 for JSON nested 5,000 deep, before validation', async () => {
    await unchanged(async () => {
      const deep = `{"firstName":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
      const response = await rawPost('/v1/users', deep);
      expect(response.status).toBe(400);
      expect((await readJson(response)).details[0].reason).toMatch(/nests deeper than 32 levels/);
    });
  });

  it('400 for an events cursor out of bigint range', async () => {
    const cursor = Buffer.from('99999999999999999999.1').toString('base64url');
    const response = await flow.admin.get(`/v1/events?after=${cursor}`);
    expect(response.status).toBe(400);
    expect(response.body.details[0].field).toBe('after');
  });

  it('400 for whitespace-only mandatory names', async () => {
    await unchanged(async () => {
      const response = await flow.admin.post('/v1/users', aUser({ firstName: '   ', lastName: '\t' }));
      expect(response.status).toBe(400);
      expect(response.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
        'firstName',
        'lastName',
      ]);
    });
  });

  it('400 for a webhook payload with a control character; an SMS reply may hold line breaks', async () => {
    await unchanged(async () => {
      const response = await signedPost(carrierUrl(), callback({ reason: 'blocked\u0000' }), {
        secret: attSecret,
      });
      expect(response.status).toBe(400);
      expect((await readJson(response)).details[0].field).toBe('reason');
    });
    const reply = JSON.stringify({
      messageId: `sms-${Math.random()}`,
      from: user.mdn,
      text: 'YES\r\nSent from my phone',
      receivedAt: flow.clock.now().toISOString(),
    });
    const sms = await signedPost(`${flow.running.baseUrl}/v1/webhooks/sms`, reply, {
      secret: flow.secrets.sms,
    });
    expect(sms.status).not.toBe(400);
  });

  it('400 for a lone surrogate (text that is not Unicode) in a webhook payload or a user', async () => {
    // JSON may escape half of a surrogate pair; PostgreSQL's jsonb refuses it (it was a
    // 500) and UTF-8 has no way to store it (a text column got U+FFFD instead).
    await unchanged(async () => {
      const carrier = await signedPost(carrierUrl(), callback({ reason: 'blocked \ud800' }), {
        secret: attSecret,
      });
      expect(carrier.status).toBe(400);
      expect((await readJson(carrier)).details).toEqual([
        { field: 'reason', reason: 'must be well-formed Unicode (no lone surrogates)' },
      ]);
      const created = await flow.admin.post('/v1/users', aUser({ firstName: 'Ada \udc00' }));
      expect(created.status).toBe(400);
      expect(created.body.details[0].field).toBe('firstName');
    });
  });

  it('400 for a callback, reply or sighting stamped in the far future; the line is not frozen', async () => {
    const future = '9999-12-31T00:00:00Z';
    await unchanged(async () => {
      const carrier = await signedPost(carrierUrl(), callback({ occurredAt: future, status: 'DISABLED' }), {
        secret: attSecret,
      });
      expect(carrier.status).toBe(400);
      expect((await readJson(carrier)).details).toEqual([
        { field: 'occurredAt', reason: 'is more than 5 minutes in the future' },
      ]);
      const reply = JSON.stringify({
        messageId: 'm-future',
        from: user.mdn,
        text: 'YES',
        receivedAt: future,
      });
      const sms = await signedPost(`${flow.running.baseUrl}/v1/webhooks/sms`, reply, {
        secret: flow.secrets.sms,
      });
      expect(sms.status).toBe(400);
      const sighting = await flow.admin.post(`/v1/users/${user.id}/networks/att/sightings`, {
        seenAt: future,
      });
      expect(sighting.status).toBe(400);
    });
    // A few minutes ahead (clock skew) is still taken.
    const skewed = new Date(flow.clock.now().getTime() + 2 * 60_000).toISOString();
    const ok = await signedPost(carrierUrl(), callback({ occurredAt: skewed }), { secret: attSecret });
    expect(ok.status).toBe(202);
  });

  it('401 for a webhook-timestamp that is not a whole number', async () => {
    await unchanged(async () => {
      // Signed correctly over the number: only the header's trailing text is wrong.
      const now = Math.floor(Date.now() / 1000);
      const body = callback({ status: 'DISABLED' });
      const response = await fetch(carrierUrl(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_1',
          'webhook-timestamp': `${now}abc`,
          'webhook-signature': new Webhook(attSecret).sign('msg_1', new Date(now * 1000), body),
        },
        body,
      });
      expect(response.status).toBe(401);
      expect((await readJson(response)).message).toMatch(/webhook-timestamp/);
    });
  });

  it('accepts any of a source’s secrets, so a key rotates without dual-signing', async () => {
    const withOld = await signedPost(carrierUrl(), callback({ status: 'DISABLED' }), {
      secret: oldAttSecret,
    });
    expect(withOld.status).toBe(202);
    const withNew = await signedPost(carrierUrl(), callback({ status: 'ENABLED' }), { secret: attSecret });
    expect(withNew.status).toBe(202);
    const stranger = await signedPost(carrierUrl(), callback(), { secret: newWebhookSecret() });
    expect(stranger.status).toBe(401);
  });

  it('a second delivery with the same webhook-id is a duplicate, whatever its payload id', async () => {
    const first = await signedPost(carrierUrl(), callback({ status: 'DISABLED' }), {
      secret: attSecret,
      id: 'msg_same',
    });
    expect(await readJson(first)).toMatchObject({ status: 'accepted' });
    await unchanged(async () => {
      const again = await signedPost(carrierUrl(), callback({ status: 'ENABLED' }), {
        secret: attSecret,
        id: 'msg_same',
      });
      expect(again.status).toBe(200);
      expect(await readJson(again)).toEqual({ status: 'duplicate' });
    });
  });

  it('a deleted user cannot be changed again: 409 naming the rule', async () => {
    const doomed = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    expect((await flow.admin.delete(`/v1/users/${doomed.id}`)).status).toBe(200);
    await unchanged(async () => {
      const revived = await flow.admin.patch(`/v1/users/${doomed.id}`, { status: 'ACTIVE' });
      expect(revived.status).toBe(409);
      expect(revived.body).toMatchObject({ error: 'conflict', details: { rule: 'deleted_is_final' } });
    });
  });
});
