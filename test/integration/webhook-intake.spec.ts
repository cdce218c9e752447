import { acrossOrganizations } from '../../src/database/data-scope';
import type { InboxDelivery } from '../../src/webhooks/inbox/inbox-delivery';
import { WebhookInboxRepository } from '../../src/webhooks/inbox/webhook-inbox.repository';
import type { Database } from '../../src/database/database';
import { DATABASE } from '../../src/database/database.service';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';

/*
 * Intake stores deliveries received together with one INSERT (GroupCommit). Calls made in
 * the same tick share batches for certain, which HTTP requests in a test cannot promise.
 */
describe.each(DATABASE_KINDS)('webhook intake in batches on %s', (_kind, createDatabase) => {
  let target: TestDatabase;
  let running: RunningApp;
  let inbox: WebhookInboxRepository;

  beforeAll(async () => {
    target = await createDatabase();
    // The worker stays away: the rows are read as intake left them.
    running = await startApp(
      testConfig(target, { WEBHOOK_INBOX_POLL_MS: '60000', WEBHOOK_INBOX_WAKE_MS: '10000' }),
    );
    inbox = running.app.get(WebhookInboxRepository);
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  const delivery = (payloadId: string, webhookId: string, note = 'ok'): InboxDelivery => ({
    source: 'att',
    payloadId,
    webhookId,
    orderKey: '+12015550100',
    payload: { type: 'activity.seen', callbackId: payloadId, note },
  });
  const accepted = (deliveries: InboxDelivery[]) =>
    acrossOrganizations('intake, under test', () =>
      Promise.allSettled(deliveries.map((each) => inbox.accept(each))),
    );
  const stored = (prefix: string) =>
    running.app
      .get<Database>(DATABASE)
      .prisma.$queryRawUnsafe<{ external_id: string }[]>(
        `SELECT external_id FROM webhook_receipts WHERE external_id LIKE $1`,
        `${prefix}%`,
      )
      .then((rows) => rows.map((row) => row.external_id));

  it('stores each delivery once, and tells copies inside a batch from the first', async () => {
    const results = await accepted([
      ...Array.from({ length: 8 }, (_, i) => delivery(`a-${i}`, `wh-a-${i}`)),
      ...Array.from({ length: 6 }, (_, i) => delivery('a-copy', `wh-a-copy-${i}`)),
      ...Array.from({ length: 6 }, (_, i) => delivery(`a-same-webhook-${i}`, 'wh-a-same')),
    ]);
    const values = results.map((result) => (result.status === 'fulfilled' ? result.value : result.reason));
    expect(values).toEqual([
      ...Array(8).fill(true),
      true,
      ...Array(5).fill(false),
      true,
      ...Array(5).fill(false),
    ]);
    // (In arrival order within a batch; two writers may commit theirs in either order, as
    // two requests in flight at once always could.)
    expect((await stored('a-')).sort()).toEqual(
      [...Array.from({ length: 8 }, (_, i) => `a-${i}`), 'a-copy', 'a-same-webhook-0'].sort(),
    );
    // A second arrival of any of them is a duplicate.
    expect(await accepted([delivery('a-3', 'wh-new'), delivery('a-new', 'wh-a-0')])).toEqual([
      { status: 'fulfilled', value: false },
      { status: 'fulfilled', value: false },
    ]);
  });

  it('a copy whose first copy in the batch was a duplicate of an older delivery is stored if it is new', async () => {
    await accepted([delivery('c-old', 'wh-c-old')]);
    // A is a copy of c-old (its payload id); B shares only A's webhook-id, which nothing stored has.
    const results = await accepted([
      delivery('c-0', 'wh-c-0'),
      delivery('c-1', 'wh-c-1'),
      delivery('c-old', 'wh-c-shared'),
      delivery('c-new', 'wh-c-shared'),
    ]);
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : result.reason))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect((await stored('c-')).sort()).toEqual(['c-0', 'c-1', 'c-new', 'c-old']);
  });

  it('a delivery the database refuses fails alone; the others of its batch are stored', async () => {
    // PostgreSQL's jsonb takes no NUL character: the one row it cannot store.
    const results = await accepted([
      delivery('b-0', 'wh-b-0'),
      delivery('b-1', 'wh-b-1'),
      delivery('b-2', 'wh-b-2'),
      delivery('b-bad', 'wh-b-bad', 'nul \u0000 inside'),
      delivery('b-4', 'wh-b-4'),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((await stored('b-')).sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-4']);
  });
});
