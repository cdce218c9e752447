import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SweepStaleLinesJob } from '../../src/lines/sweep/sweep-stale-lines.job';
import {
  applyEvent,
  differences,
  liveUsers,
  tableFromRest,
  type AdminTable,
  type RestUser,
} from '../support/admin-table';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';
import { signedPost } from '../support/signed';
import type { ApiResponse } from '../support/http';
import { eventually } from '../support/eventually';

interface FeedPage {
  items: { type: string; key: string; event: Record<string, unknown> }[];
  nextCursor: string | null;
}

const DAY_MS = 86_400_000;

describe('the REST hand-over: a snapshot of the users, then the feed from its cursor', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ PROVISION_ON_REGISTER: 'false' });
    flow.clock.set('2026-10-01T08:00:00.000Z');
  });
  afterAll(() => flow.stop());

  /** A carrier's signed callback, stored by the inbox (202). */
  const post = (network: string, body: Record<string, unknown>) =>
    signedPost(
      `${flow.running.baseUrl}/v1/webhooks/carriers/${network}`,
      JSON.stringify({ callbackId: randomUUID(), occurredAt: flow.clock.now().toISOString(), ...body }),
      { secret: flow.secrets[network as 'att'] },
    );

  /** The same, then an inbox pass: applied, as the worker's wake-up does within milliseconds. */
  const callback = async (network: string, body: Record<string, unknown>) => {
    const response = await post(network, body);
    await flow.runJob(WebhookInboxJob);
    return response;
  };

  async function feedAfter(
    cursor: string | null,
  ): Promise<{ items: FeedPage['items']; cursor: string | null }> {
    const items: FeedPage['items'] = [];
    for (;;) {
      const page = await flow.admin.get<FeedPage>(`/v1/events?limit=200${cursor ? `&after=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      if (page.body.items.length === 0) return { items, cursor: page.body.nextCursor };
      cursor = page.body.nextCursor;
    }
  }

  /**
   * The feed after `cursor` once everything written so far is settled: a marker user is
   * registered last, and its event shows only when every older transaction's have (a
   * transaction open elsewhere on the server holds the feed back a moment).
   */
  async function settledFeedAfter(cursor: string | null) {
    const marker = (await flow.admin.post('/v1/users', aUser())).body.id as string;
    return eventually(async () => {
      const page = await feedAfter(cursor);
      return page.items.some((item) => item.key === marker) ? page : undefined;
    }, 30_000);
  }

  async function allUsers(pageSize = 50, between?: () => Promise<void>) {
    const users: RestUser[] = [];
    let cursor: string | null = null;
    let eventsCursor: string | undefined;
    do {
      const page: ApiResponse<{ items: RestUser[]; nextCursor: string | null; eventsCursor: string }> =
        await flow.admin.get(`/v1/users?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      users.push(...page.body.items);
      eventsCursor ??= page.body.eventsCursor;
      cursor = page.body.nextCursor;
      if (between) await between();
    } while (cursor);
    return { users, eventsCursor: eventsCursor };
  }

  /** A mixed workload on `ids`: admin moves, user changes, callbacks, sightings. */
  async function mixedWork(users: { id: string; mdn: string; network: string }[], round: number) {
    for (const [i, user] of users.entries()) {
      switch ((i + round) % 5) {
        case 0:
          await flow.admin.post(`/v1/users/${user.id}/networks/${user.network}/status`, {
            status: user.network === 'verizon' ? 'NEW_REQUEST' : 'ENABLED',
          });
          break;
        case 1:
          await flow.admin.patch(`/v1/users/${user.id}`, {
            company: `Company ${round}`,
            udid: `udid-${round}`,
            serviceLevel: `Level ${round}`,
          });
          break;
        case 2:
          await callback(user.network, { type: 'provisioning.updated', mdn: user.mdn, status: 'ENABLED' });
          break;
        case 3:
          await callback(user.network, { type: 'activity.seen', mdn: user.mdn });
          break;
        default:
          await flow.admin.post(`/v1/users/${user.id}/networks/${user.network}/sightings`, {});
      }
    }
  }

  it('after=latest starts at the head; a cursor past the head is 400', async () => {
    const head = await flow.admin.get<FeedPage>('/v1/events?after=latest');
    expect(head.status).toBe(200);
    expect(head.body.items).toEqual([]);
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    const next = await settledFeedAfter(head.body.nextCursor);
    const mine = next.items.filter((item) => item.key === user.id);
    expect(mine.map((item) => [item.type.split('.').pop(), item.key])).toEqual([
      ['UserRegistered', user.id],
      ['NetworkStatusChanged', user.id],
    ]);
    const beyond = Buffer.from(`${2n ** 40n}.0`).toString('base64url');
    const refused = await flow.admin.get(`/v1/events?after=${beyond}`);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'after', reason: 'is beyond the newest settled event' }]);
  });

  it('serves the AsyncAPI document and its proto beside the OpenAPI page, without a token', async () => {
    for (const [path, file, type] of [
      ['/docs/asyncapi.yaml', 'docs/asyncapi.yaml', 'application/yaml'],
      ['/docs/events.proto', 'proto/mdn/provisioning/v1/events.proto', 'text/plain'],
    ]) {
      const response = await fetch(`${flow.running.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(await response.text()).toBe(readFileSync(join(__dirname, '../..', file), 'utf8'));
    }
  });

  it('history says which moves were applied and why not', async () => {
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    await callback('att', { type: 'provisioning.updated', mdn: user.mdn, status: 'ENABLED' });
    await callback('att', {
      type: 'provisioning.updated',
      mdn: user.mdn,
      status: 'DISABLED',
      occurredAt: new Date(flow.clock.now().getTime() - 60_000).toISOString(),
    });
    const history = (await flow.admin.get(`/v1/users/${user.id}/networks/att/history`)).body;
    expect(
      history.map((entry: Record<string, unknown>) => [entry.to, entry.applied, entry.unappliedReason]),
    ).toEqual([
      ['ENABLED', true, null],
      ['DISABLED', false, 'older than the line’s latest status'],
    ]);
  });

  it('10,000 activity.seen callbacks on one line in a day publish one event', async () => {
    flow.clock.set('2026-10-02T12:00:00.000Z');
    const user = (await flow.admin.post('/v1/users', aUser({ network: 'att' }))).body;
    const { cursor } = await settledFeedAfter(null);
    const start = flow.clock.now().getTime();
    const total = 10_000;
    let sent = 0;
    const worker = async () => {
      while (sent < total) {
        const i = sent++;
        const delivery = {
          type: 'activity.seen',
          callbackId: `seen-${i}`,
          mdn: user.mdn,
          occurredAt: new Date(start - (total - i) * 1000).toISOString(),
        };
        // Stored by the inbox and applied in arrival order (a run of sightings at once).
        expect((await post('att', delivery)).status).toBe(202);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    await flow.settle();
    const { items } = await settledFeedAfter(cursor);
    expect(items.filter((item) => item.key === user.id).map((item) => [item.type, item.key])).toEqual([
      ['mdn.provisioning.v1.NetworkStatusChanged', user.id],
    ]);
    const line = (await flow.admin.get(`/v1/users/${user.id}/networks`)).body[0];
    // The latest sighting, to SIGHTING_PRECISION_SECONDS (60): nearer ones were not written.
    const behindLatest = start - 1000 - Date.parse(line.lastSeenAt);
    expect(behindLatest).toBeGreaterThanOrEqual(0);
    expect(behindLatest).toBeLessThan(60_000);
  }, 300_000);

  it('rebuilds the admin table from GET /v1/users and GET /v1/events: zero differences', async () => {
    const networks = ['att', 'tmobile', 'verizon'];
    const users: { id: string; mdn: string; network: string }[] = [];
    for (let i = 0; i < 15; i++) {
      const network = networks[i % 3];
      const body = (
        await flow.admin.post(
          '/v1/users',
          aUser({ network, company: `Start ${i}`, customerCode: `C-${randomUUID()}` }),
        )
      ).body;
      users.push({ id: body.id, mdn: body.mdn, network });
    }
    await mixedWork(users, 0);

    // The snapshot, paged while changes go on between the pages.
    let round = 1;
    const snapshot = await allUsers(4, () => mixedWork(users.slice(0, 5), round++));
    const table: AdminTable = tableFromRest(snapshot.users);

    await mixedWork(users, round++);
    await flow.admin.delete(`/v1/users/${users[0].id}`);
    // A month on: lines go stale, the sweep publishes them ORANGE, a sighting turns one back.
    flow.clock.advanceDays(31);
    await flow.runJob(SweepStaleLinesJob);
    await flow.admin.post(`/v1/users/${users[2].id}/networks/${users[2].network}/sightings`, {});
    flow.clock.set(new Date(flow.clock.now().getTime() + DAY_MS / 4));

    // Everything written is settled (the marker), then the tail from the snapshot's cursor.
    const everything = await settledFeedAfter(null);
    const tail = await feedAfter(snapshot.eventsCursor);
    const rest = tableFromRest((await allUsers()).users);
    const gaps: string[] = [];
    for (const item of tail.items) applyEvent(table, item.type, item.event, gaps);
    expect(gaps).toEqual([]);
    // GET /v1/users leaves deleted users out (as the console does); so does the portal.
    expect(differences(rest, liveUsers(table))).toEqual([]);
    // And from the beginning of the feed alone, the same table.
    const fromStart = new Map() as AdminTable;
    for (const item of everything.items) applyEvent(fromStart, item.type, item.event, gaps);
    expect(gaps).toEqual([]);
    expect(differences(rest, liveUsers(fromStart))).toEqual([]);
  }, 120_000);
});
