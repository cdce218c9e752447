import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/database/database';
import { DATABASE } from '../../src/database/database.service';
import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';
import { DATABASE_KINDS } from '../support/databases';
import { aMobileNumber, aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { signedPost } from '../support/signed';

interface FeedPage {
  items: { type: string; key: string; event: { network?: string; sequence?: string | number } }[];
  nextCursor: string | null;
}

/**
 * The inbox worker applies a claimed batch's carrier callbacks and sightings together,
 * and leaves what the batch does not take to the one-at-a-time path. One pass over a
 * mixed batch must end as applying them one by one would: each outcome, each line, its
 * history and its events, in the trace of the delivery that caused them.
 */
describe.each(DATABASE_KINDS)('an inbox pass over a mixed batch on %s', (_kind, createDatabase) => {
  let flow: FlowHarness;
  const users: Record<'enabled' | 'late' | 'moved' | 'seen' | 'twiceSeen', { id: string; mdn: string }> =
    {} as never;
  const prisma = () => flow.running.app.get<Database>(DATABASE).prisma;

  beforeAll(async () => {
    // No wake-up and no poll within the test: deliveries wait until a pass is run.
    flow = await startFlow(
      { PROVISION_ON_REGISTER: 'false', WEBHOOK_INBOX_WAKE_MS: '10000', WEBHOOK_INBOX_POLL_MS: '60000' },
      createDatabase,
    );
    flow.clock.set('2026-10-01T08:00:00.000Z');
    for (const name of ['enabled', 'late', 'moved', 'seen', 'twiceSeen'] as const) {
      users[name] = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    }
  });
  afterAll(() => flow.stop());

  const post = (body: Record<string, unknown>) => {
    const callbackId = randomUUID();
    return signedPost(
      `${flow.running.baseUrl}/v1/webhooks/carriers/att`,
      JSON.stringify({ callbackId, occurredAt: flow.clock.now().toISOString(), ...body }),
      { secret: flow.secrets.att },
    ).then((response) => {
      expect(response.status).toBe(202);
      return callbackId;
    });
  };
  const move = (mdn: string, status: string, occurredAt = flow.clock.now()) =>
    post({ type: 'provisioning.updated', mdn, status, occurredAt: occurredAt.toISOString() });
  const seen = (mdn: string, occurredAt: Date) =>
    post({ type: 'activity.seen', mdn, occurredAt: occurredAt.toISOString() });
  const lineOf = async (user: { id: string }) =>
    (await flow.admin.get<Record<string, unknown>[]>(`/v1/users/${user.id}/networks`)).body[0];
  const historyOf = async (user: { id: string }) =>
    (await flow.admin.get<Record<string, unknown>[]>(`/v1/users/${user.id}/networks/att/history`)).body;
  const outcomes = async (ids: string[]) => {
    const rows = await prisma().webhookReceipt.findMany({
      where: { source: 'att', externalId: { in: ids } },
    });
    return Object.fromEntries(rows.map((row) => [row.externalId, row.outcome]));
  };

  it('applies each as one at a time would, in one pass', async () => {
    // Before the batch: one line Enabled (a later Disabled stamped before that is out of order).
    await move(users.late.mdn, 'ENABLED');
    await move(users.moved.mdn, 'ENABLED');
    await flow.runJob(WebhookInboxJob);
    const before = flow.clock.now();
    flow.clock.advanceSeconds(60);

    const first = new Date(flow.clock.now().getTime() - 2_000);
    const ids = {
      enabled: await move(users.enabled.mdn, 'ENABLED'),
      late: await move(users.late.mdn, 'DISABLED', new Date(before.getTime() - 1_000)),
      moved: await move(users.moved.mdn, 'NOT_COMMUNICATING'),
      unknown: await move(aMobileNumber(), 'ENABLED'),
      seen: await seen(users.seen.mdn, first),
      twiceFirst: await seen(users.twiceSeen.mdn, first),
      twiceLatest: await seen(users.twiceSeen.mdn, flow.clock.now()),
    };
    const handled = await flow.runJob(WebhookInboxJob);

    expect(handled).toBe(Object.keys(ids).length);
    expect(await outcomes(Object.values(ids))).toEqual({
      [ids.enabled]: 'applied',
      [ids.late]: 'not_applied',
      [ids.moved]: 'applied',
      [ids.unknown]: 'not_found',
      [ids.seen]: 'applied',
      [ids.twiceFirst]: 'applied',
      [ids.twiceLatest]: 'applied',
    });
    expect(await lineOf(users.enabled)).toMatchObject({ status: 'ENABLED', indicator: 'GREEN' });
    expect(await lineOf(users.late)).toMatchObject({ status: 'ENABLED' });
    expect(await lineOf(users.moved)).toMatchObject({ status: 'NOT_COMMUNICATING' });
    expect(await lineOf(users.seen)).toMatchObject({ lastSeenAt: first.toISOString() });
    expect(await lineOf(users.twiceSeen)).toMatchObject({ lastSeenAt: flow.clock.now().toISOString() });

    expect(await historyOf(users.enabled)).toEqual([
      expect.objectContaining({ from: 'NO_STATUS', to: 'ENABLED', applied: true }),
    ]);
    // Kept in the history at the time it carried, before the move it came too late for.
    expect(await historyOf(users.late)).toEqual([
      expect.objectContaining({ from: 'NO_STATUS', to: 'ENABLED', applied: true }),
      expect.objectContaining({ from: 'ENABLED', to: 'DISABLED', applied: false }),
    ]);
    expect((await historyOf(users.moved)).map((entry) => entry.to)).toEqual(['NOT_COMMUNICATING', 'ENABLED']);
  });

  it("writes each line's events with gap-free sequences, in the trace of the delivery that caused them", async () => {
    const feed = await flow.admin.get<FeedPage>('/v1/events?limit=1000');
    const sequences = (user: { id: string }) =>
      feed.body.items
        .filter((item) => item.type.endsWith('NetworkStatusChanged') && item.key === user.id)
        .map((item) => Number(item.event.sequence));
    // Each line's registration event is sequence 1.
    expect(sequences(users.enabled)).toEqual([1, 2]);
    expect(sequences(users.moved)).toEqual([1, 2, 3]);
    expect(sequences(users.seen)).toEqual([1, 2]);

    const receipt = await prisma().webhookReceipt.findFirst({
      where: { source: 'att', orderKey: users.moved.mdn },
      orderBy: { seq: 'desc' },
    });
    const events = await prisma().outboxEvent.findMany({
      where: { key: { in: [users.moved.id, `${users.moved.id}:att`] } },
      orderBy: { id: 'desc' },
      take: 2,
    });
    const traceId = (traceparent: string | null | undefined) => traceparent?.split('-')[1];
    expect(traceId(receipt?.traceParent)).toMatch(/^[0-9a-f]{32}$/);
    for (const event of events) expect(traceId(event.traceParent)).toBe(traceId(receipt?.traceParent));
  });
});
