import type { Database } from '../../src/database/database';
import { DATABASE } from '../../src/database/database.service';
import { CLAIM_EXPIRES_AFTER_SECONDS } from '../../src/webhooks/webhook-receipts.repository';
import { WebhookReceiptsCleanupJob } from '../../src/webhooks/webhook-receipts-cleanup.job';
import { DATABASE_KINDS } from '../support/databases';
import { aUser } from '../support/factories';
import { readJson } from '../support/http';
import { startFlow, type FlowHarness } from '../support/flow';
import { signedPost } from '../support/signed';

describe('carrier and SMS webhooks', () => {
  let flow: FlowHarness;
  let user: { id: string; mdn: string };
  const url = () => `${flow.running.baseUrl}/v1/webhooks/carriers/att`;

  beforeAll(async () => {
    flow = await startFlow({ PROVISION_ON_REGISTER: 'false' });
    user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
  });
  afterAll(() => flow.stop());

  const update = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'provisioning.updated',
      callbackId: `cb-${Math.random()}`,
      occurredAt: flow.clock.now().toISOString(),
      mdn: user.mdn,
      status: 'ENABLED',
      ...overrides,
    });
  const lineOf = async () => (await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0];
  const historyOf = async () => (await flow.admin.get(`/v1/users/${user.id}/networks/att/history`)).body;

  it('401 for a bad signature, and nothing changes', async () => {
    const response = await signedPost(url(), update(), {
      secret: flow.secrets.att,
      signedBody: update({ status: 'DISABLED' }),
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({
      error: 'unauthorized',
      message: expect.stringContaining('signature'),
    });
    const wrongSecret = await signedPost(url(), update(), { secret: flow.secrets.verizon });
    expect(wrongSecret.status).toBe(401);
    expect((await lineOf()).status).toBe('NO_STATUS');
  });

  it('401 for a timestamp more than 5 minutes off, either way', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await signedPost(url(), update(), { secret: flow.secrets.att, timestamp: now - 6 * 60 });
    expect(old.status).toBe(401);
    expect((await readJson(old)).message).toMatch(/too old/);
    const future = await signedPost(url(), update(), { secret: flow.secrets.att, timestamp: now + 6 * 60 });
    expect(future.status).toBe(401);
  });

  it('401 without the signature headers', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: update(),
    });
    expect(response.status).toBe(401);
  });

  it('400 for malformed JSON or a missing field, naming it', async () => {
    const malformed = await signedPost(url(), '{"type": "provisioning.updated",', {
      secret: flow.secrets.att,
    });
    expect(malformed.status).toBe(400);
    const missing = await signedPost(
      url(),
      JSON.stringify({ type: 'provisioning.updated', mdn: user.mdn, status: 'ENABLED' }),
      {
        secret: flow.secrets.att,
      },
    );
    expect(missing.status).toBe(400);
    const fields = ((await readJson(missing)).details as { field: string }[])
      .map((problem) => problem.field)
      .sort();
    expect(fields).toEqual(['callbackId', 'occurredAt']);
    const badStatus = await signedPost(url(), update({ status: 'GREEN' }), { secret: flow.secrets.att });
    expect(badStatus.status).toBe(400);
  });

  it('413 for a body over 64 KiB', async () => {
    const response = await signedPost(url(), update({ reason: 'x'.repeat(70 * 1024) }), {
      secret: flow.secrets.att,
    });
    expect(response.status).toBe(413);
  });

  it('404 for an unknown MDN or network; the MDN is not echoed whole', async () => {
    const unknown = await signedPost(url(), update({ mdn: '+12015550000' }), { secret: flow.secrets.att });
    expect(unknown.status).toBe(404);
    expect((await readJson(unknown)).message).not.toContain('2015550000');
    const network = await signedPost(`${flow.running.baseUrl}/v1/webhooks/carriers/sprint`, update(), {
      secret: flow.secrets.att,
    });
    expect(network.status).toBe(404);
  });

  it('applies a valid callback once; a replay of the same id answers 200 and changes nothing', async () => {
    const body = update({ callbackId: 'cb-replayed' });
    const first = await signedPost(url(), body, { secret: flow.secrets.att, id: 'msg-1' });
    expect(first.status).toBe(200);
    expect(await readJson(first)).toMatchObject({ status: 'accepted', applied: true });
    expect((await lineOf()).status).toBe('ENABLED');
    const replay = await signedPost(url(), body, { secret: flow.secrets.att, id: 'msg-1' });
    expect(replay.status).toBe(200);
    expect(await readJson(replay)).toEqual({ status: 'duplicate' });
    expect(await historyOf()).toHaveLength(1);
  });

  it('keeps an out-of-order callback in the history without applying it', async () => {
    const earlier = new Date(flow.clock.now().getTime() - 60_000).toISOString();
    const response = await signedPost(url(), update({ status: 'DISABLED', occurredAt: earlier }), {
      secret: flow.secrets.att,
    });
    expect(await readJson(response)).toMatchObject({ status: 'accepted', applied: false });
    expect((await lineOf()).status).toBe('ENABLED');
    expect((await historyOf()).find((entry: { to: string }) => entry.to === 'DISABLED')).toMatchObject({
      from: 'ENABLED',
      occurredAt: earlier,
    });
  });

  it('activity.seen moves last seen forward', async () => {
    flow.clock.advanceDays(40);
    expect((await lineOf()).indicator).toBe('ORANGE');
    const seen = JSON.stringify({
      type: 'activity.seen',
      callbackId: 'seen-1',
      occurredAt: flow.clock.now().toISOString(),
      mdn: user.mdn,
    });
    expect((await signedPost(url(), seen, { secret: flow.secrets.att })).status).toBe(200);
    expect(await lineOf()).toMatchObject({ indicator: 'GREEN', lastSeenAt: flow.clock.now().toISOString() });
  });

  it('the SMS webhook verifies with its own secret', async () => {
    const body = JSON.stringify({
      messageId: 'sms-1',
      from: user.mdn,
      text: 'YES',
      receivedAt: new Date().toISOString(),
    });
    const wrong = await signedPost(`${flow.running.baseUrl}/v1/webhooks/sms`, body, {
      secret: flow.secrets.att,
    });
    expect(wrong.status).toBe(401);
  });
});

describe.each(DATABASE_KINDS)('webhook delivery ids on %s', (_kind, createDatabase) => {
  let flow: FlowHarness;
  let user: { id: string; mdn: string };
  const url = () => `${flow.running.baseUrl}/v1/webhooks/carriers/tmobile`;
  // Receipts hold no organisation's data: the bare client (no data scope) reads them.
  const prisma = () => flow.running.app.get<Database>(DATABASE).prisma;

  beforeAll(async () => {
    flow = await startFlow({ PROVISION_ON_REGISTER: 'false' }, createDatabase);
    user = (await flow.admin.post('/v1/users', aUser({ network: 'tmobile' }))).body;
  });
  afterAll(() => flow.stop());

  const callback = (callbackId: string, status: string) =>
    JSON.stringify({
      type: 'provisioning.updated',
      callbackId,
      occurredAt: flow.clock.now().toISOString(),
      mdn: user.mdn,
      status,
    });
  const statusOf = async () => (await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0].status;
  /** A receipt as an attempt leaves it: claimed `ageSeconds` ago, never completed. */
  const unfinishedClaim = (id: string, ageSeconds: number) => prisma().$executeRaw`
    INSERT INTO webhook_receipts (source, external_id, received_at)
    VALUES ('tmobile', ${id}, now() - make_interval(secs => ${ageSeconds}))`;

  it('a copy arriving while the first attempt is at work is asked to retry (409), and nothing changes', async () => {
    await unfinishedClaim('cb-busy', 1);
    const copy = await signedPost(url(), callback('cb-busy', 'ENABLED'), { secret: flow.secrets.tmobile });
    expect(copy.status).toBe(409);
    expect(await readJson(copy)).toMatchObject({
      error: 'conflict',
      message: expect.stringContaining('retry'),
    });
    expect(await statusOf()).toBe('NO_STATUS');
  });

  it('an attempt that died mid-way does not swallow the retry: once its claim expires the retry is applied', async () => {
    await unfinishedClaim('cb-crashed', CLAIM_EXPIRES_AFTER_SECONDS + 5);
    const retry = await signedPost(url(), callback('cb-crashed', 'ENABLED'), {
      secret: flow.secrets.tmobile,
    });
    expect(retry.status).toBe(200);
    expect(await readJson(retry)).toMatchObject({ status: 'accepted', applied: true });
    expect(await statusOf()).toBe('ENABLED');
    const receipt = await prisma().webhookReceipt.findUnique({
      where: { source_externalId: { source: 'tmobile', externalId: 'cb-crashed' } },
    });
    expect(receipt?.completedAt).toBeInstanceOf(Date);
    const replay = await signedPost(url(), callback('cb-crashed', 'ENABLED'), {
      secret: flow.secrets.tmobile,
    });
    expect(await readJson(replay)).toEqual({ status: 'duplicate' });
  });

  it('a claim left by a killed process is taken over within seconds (20 s on), not minutes', async () => {
    await unfinishedClaim('cb-killed', 20);
    const retry = await signedPost(url(), callback('cb-killed', 'ENABLED'), { secret: flow.secrets.tmobile });
    expect(retry.status).toBe(200);
    expect(await readJson(retry)).toMatchObject({ status: 'accepted' });
  });

  it('a failed attempt gives its id back, so the sender’s retry is processed', async () => {
    const refused = await signedPost(
      url(),
      callback('cb-unknown-mdn', 'ENABLED').replace(user.mdn, '+12015550000'),
      {
        secret: flow.secrets.tmobile,
      },
    );
    expect(refused.status).toBe(404);
    expect(
      await prisma().webhookReceipt.count({ where: { source: 'tmobile', externalId: 'cb-unknown-mdn' } }),
    ).toBe(0);
    // The retry is processed again (and refused again), not answered as a duplicate.
    const retried = await signedPost(
      url(),
      callback('cb-unknown-mdn', 'ENABLED').replace(user.mdn, '+12015550000'),
      { secret: flow.secrets.tmobile },
    );
    expect(retried.status).toBe(404);
  });

  it('ids are forgotten after the retention time', async () => {
    const kept = await prisma().webhookReceipt.count();
    expect(kept).toBeGreaterThan(0);
    expect(await flow.runJob(WebhookReceiptsCleanupJob)).toBe(0);
    flow.clock.advanceDays(8); // beyond the default 168 hours
    expect(await flow.runJob(WebhookReceiptsCleanupJob)).toBe(kept);
    expect(await prisma().webhookReceipt.count()).toBe(0);
  });
});
