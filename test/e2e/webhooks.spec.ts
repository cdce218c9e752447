import type { Database } from '../../src/database/database';
import { DATABASE } from '../../src/database/database.service';
import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';
import { WebhookReceiptsCleanupJob } from '../../src/webhooks/webhook-receipts-cleanup.job';
import { DATABASE_KINDS } from '../support/databases';
import { eventually } from '../support/eventually';
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

  it('404 for an unknown network', async () => {
    const network = await signedPost(`${flow.running.baseUrl}/v1/webhooks/carriers/sprint`, update(), {
      secret: flow.secrets.att,
    });
    expect(network.status).toBe(404);
  });

  it('stores a valid callback (202) and applies it once; a replay of the same id answers 200 and changes nothing', async () => {
    const body = update({ callbackId: 'cb-replayed' });
    const first = await signedPost(url(), body, { secret: flow.secrets.att, id: 'msg-1' });
    expect(first.status).toBe(202);
    expect(await readJson(first)).toEqual({ status: 'accepted' });
    await flow.runJob(WebhookInboxJob);
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
    expect(await readJson(response)).toEqual({ status: 'accepted' });
    await flow.runJob(WebhookInboxJob);
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
    expect((await signedPost(url(), seen, { secret: flow.secrets.att })).status).toBe(202);
    await flow.runJob(WebhookInboxJob);
    expect(await lineOf()).toMatchObject({ indicator: 'GREEN', lastSeenAt: flow.clock.now().toISOString() });
  });

  it('a sighting less than SIGHTING_PRECISION_SECONDS after the stored one is not written; a later one is', async () => {
    const sighting = async (callbackId: string) => {
      const body = JSON.stringify({
        type: 'activity.seen',
        callbackId,
        occurredAt: flow.clock.now().toISOString(),
        mdn: user.mdn,
      });
      expect((await signedPost(url(), body, { secret: flow.secrets.att })).status).toBe(202);
      await flow.runJob(WebhookInboxJob);
      return (await lineOf()).lastSeenAt;
    };
    // Noon of a day ahead: the three sightings on one UTC day (another day is always written).
    const noon = new Date(flow.clock.now().getTime() + 86_400_000);
    noon.setUTCHours(12, 0, 0, 0);
    flow.clock.set(noon);
    const first = await sighting('precision-1');
    expect(first).toBe(flow.clock.now().toISOString());
    flow.clock.advanceSeconds(30);
    expect(await sighting('precision-2')).toBe(first);
    flow.clock.advanceSeconds(30);
    expect(await sighting('precision-3')).toBe(flow.clock.now().toISOString());
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
  const historyOf = async () =>
    (await flow.admin.get<{ to: string }[]>(`/v1/users/${user.id}/networks/tmobile/history`)).body;
  const receipt = (externalId: string) =>
    prisma().webhookReceipt.findUnique({ where: { source_externalId: { source: 'tmobile', externalId } } });
  /**
   * A delivery as a worker that was killed mid-way leaves it: stored, claimed once, its
   * lease ending `leaseEndsInSeconds` from now (negative: already over).
   */
  const leftByKilledWorker = (id: string, status: string, occurredAt: Date, leaseEndsInSeconds: number) => {
    const payload = JSON.stringify({
      type: 'provisioning.updated',
      callbackId: id,
      occurredAt: occurredAt.toISOString(),
      mdn: user.mdn,
      status,
    });
    return prisma().$executeRaw`
      INSERT INTO webhook_receipts (source, external_id, webhook_id, payload, order_key, due_at, attempts)
      VALUES ('tmobile', ${id}, ${`wh-${id}`}, ${payload}::jsonb, ${user.mdn},
              now() + make_interval(secs => ${leaseEndsInSeconds}), 1)`;
  };
  const endLease = (id: string) => prisma().$executeRaw`
    UPDATE webhook_receipts SET due_at = now() - interval '1 second' WHERE external_id = ${id}`;

  it('a copy of a stored delivery is a duplicate (200), applied or not; the delivery applies once', async () => {
    const before = (await historyOf()).length;
    const first = await signedPost(url(), callback('cb-twice', 'NOT_COMMUNICATING'), {
      secret: flow.secrets.tmobile,
    });
    const copy = await signedPost(url(), callback('cb-twice', 'NOT_COMMUNICATING'), {
      secret: flow.secrets.tmobile,
    });
    expect([first.status, copy.status]).toEqual([202, 200]);
    expect(await readJson(copy)).toEqual({ status: 'duplicate' });
    await flow.runJob(WebhookInboxJob);
    expect(await statusOf()).toBe('NOT_COMMUNICATING');
    expect((await historyOf()).length).toBe(before + 1);
    expect(await receipt('cb-twice')).toMatchObject({ outcome: 'applied', payload: null });
  });

  it('a delivery whose worker was killed mid-way is applied once its lease ends, and only then', async () => {
    // (The worker's own poll may run any time: state is checked, not what a pass counted.)
    await leftByKilledWorker('cb-crashed', 'ENABLED', flow.clock.now(), 30);
    await flow.runJob(WebhookInboxJob);
    expect((await receipt('cb-crashed'))?.completedAt).toBeNull();
    expect(await statusOf()).toBe('NOT_COMMUNICATING');
    await endLease('cb-crashed');
    await flow.runJob(WebhookInboxJob);
    expect(await statusOf()).toBe('ENABLED');
    expect(await receipt('cb-crashed')).toMatchObject({ outcome: 'applied', attempts: 2 });
    expect((await receipt('cb-crashed'))?.completedAt).toBeInstanceOf(Date);
    const replay = await signedPost(url(), callback('cb-crashed', 'ENABLED'), {
      secret: flow.secrets.tmobile,
    });
    expect(await readJson(replay)).toEqual({ status: 'duplicate' });
  });

  it('deliveries about one number apply in arrival order: a later one waits for an earlier one held by another worker', async () => {
    flow.clock.advanceSeconds(1);
    await leftByKilledWorker('cb-earlier', 'DISABLED', flow.clock.now(), 30);
    flow.clock.advanceSeconds(1);
    const later = await signedPost(url(), callback('cb-later', 'ENABLED'), { secret: flow.secrets.tmobile });
    expect(later.status).toBe(202);
    await flow.runJob(WebhookInboxJob);
    expect((await receipt('cb-later'))?.completedAt).toBeNull();
    await endLease('cb-earlier');
    await flow.runJob(WebhookInboxJob);
    expect(await receipt('cb-later')).toMatchObject({ outcome: 'applied' });
    expect((await historyOf()).slice(0, 2).map((entry) => entry.to)).toEqual(['ENABLED', 'DISABLED']);
    expect(await statusOf()).toBe('ENABLED');
  });

  it('a number no line has is accepted, and ends as not_found', async () => {
    const unknown = await signedPost(
      url(),
      callback('cb-unknown-mdn', 'ENABLED').replace(user.mdn, '+12015550000'),
      { secret: flow.secrets.tmobile },
    );
    expect(unknown.status).toBe(202);
    await flow.runJob(WebhookInboxJob);
    expect(await receipt('cb-unknown-mdn')).toMatchObject({ outcome: 'not_found' });
  });

  it('ids are forgotten after the retention time, once applied', async () => {
    await leftByKilledWorker('cb-pending', 'ENABLED', flow.clock.now(), 3_600);
    const applied = await prisma().webhookReceipt.count({ where: { completedAt: { not: null } } });
    expect(applied).toBeGreaterThan(0);
    expect(await flow.runJob(WebhookReceiptsCleanupJob)).toBe(0);
    flow.clock.advanceDays(8); // beyond the default 168 hours
    expect(await flow.runJob(WebhookReceiptsCleanupJob)).toBe(applied);
    expect(await prisma().webhookReceipt.count()).toBe(1);
  });

  it('copies sent at once, which share an INSERT: one is accepted, the others are duplicates', async () => {
    // Intake writes deliveries received together in one statement (GroupCommit): copies
    // by payload id and copies by webhook-id must still come out one 202, the rest 200.
    const sameId = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signedPost(url(), callback('cb-at-once', 'DISABLED'), {
          secret: flow.secrets.tmobile,
          id: `wh-once-${i}`,
        }),
      ),
    );
    const sameWebhookId = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signedPost(url(), callback(`cb-one-webhook-${i}`, 'ENABLED'), {
          secret: flow.secrets.tmobile,
          id: 'wh-one-webhook',
        }),
      ),
    );
    for (const answers of [sameId, sameWebhookId]) {
      expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(11).fill(200), 202]);
    }
    // One receipt each: the copy that was answered 202.
    const acceptedCopy = sameId.findIndex((answer) => answer.status === 202);
    expect(await receipt('cb-at-once')).toMatchObject({ webhookId: `wh-once-${acceptedCopy}` });
    expect(await prisma().webhookReceipt.count({ where: { webhookId: 'wh-one-webhook' } })).toBe(1);
  });
});

describe('webhook intake under a backlog', () => {
  let flow: FlowHarness;
  const url = () => `${flow.running.baseUrl}/v1/webhooks/carriers/att`;
  const prisma = () => flow.running.app.get<Database>(DATABASE).prisma;

  beforeAll(async () => {
    flow = await startFlow({ PROVISION_ON_REGISTER: 'false', WEBHOOK_INBOX_MAX_BACKLOG: '3' });
  });
  afterAll(() => flow.stop());

  const seen = (callbackId: string) =>
    JSON.stringify({
      type: 'activity.seen',
      callbackId,
      occurredAt: flow.clock.now().toISOString(),
      mdn: '+12015550000',
    });

  it('answers 503 with Retry-After past WEBHOOK_INBOX_MAX_BACKLOG, stores nothing, and counts it', async () => {
    // Three deliveries held by a worker that is gone: the inbox is full until their lease ends.
    await prisma().$executeRaw`
      INSERT INTO webhook_receipts (source, external_id, payload, order_key, due_at)
      SELECT 'att', 'held-' || i, '{}'::jsonb, 'held-' || i, now() + interval '1 hour'
      FROM generate_series(1, 3) AS i`;
    const deferred = await eventually(async () => {
      const response = await signedPost(url(), seen(`cb-${Math.random()}`), { secret: flow.secrets.att });
      return response.status === 503 ? response : undefined;
    }, 10_000);
    expect(deferred.headers.get('retry-after')).toBe('5');
    expect(await readJson(deferred)).toMatchObject({ error: 'overloaded' });
    const metrics = await (await fetch(`${flow.running.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/mdn_webhook_deliveries_total\{source="att",outcome="deferred"\} [1-9]/);
    const stored = await prisma().webhookReceipt.count({ where: { source: 'att' } });
    const again = await signedPost(url(), seen('cb-after-503'), { secret: flow.secrets.att });
    expect(again.status).toBe(503);
    expect(await prisma().webhookReceipt.count({ where: { source: 'att' } })).toBe(stored);
  });
});
