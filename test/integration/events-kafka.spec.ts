import { DEFAULT_ORGANIZATION } from '../../src/organizations/domain/default-organization';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SweepStaleLines } from '../../src/lines/sweep/sweep-stale-lines.usecase';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { ManualClock } from '../support/clock';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { eventually } from '../support/eventually';
import { apiClient, readJson, type ApiClient } from '../support/http';
import { scrapeMetrics } from '../support/metrics';
import { parseTraceparent } from '../../src/tracing/trace-context';
import { launch, readState, stopBroker } from '../infra/kafka/broker';
import { readTopic, testBrokers, type ReceivedEvent } from '../support/kafka-consumer';

const distinct = (events: ReceivedEvent[]) => [
  ...new Map(events.map((event) => [event.eventId, event])).values(),
];
const statusEvents = (events: ReceivedEvent[]) => distinct(events).filter((event) => event.statusChanged);

function kafkaEnv(topic: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: testBrokers(),
    KAFKA_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: '3',
    OUTBOX_POLL_MS: '50',
    ...extra,
  };
}

/** Each line's events arrive with a sequence that only grows, whatever else interleaves. */
function expectOrderedPerLine(events: ReceivedEvent[]): void {
  const last = new Map<string, bigint>();
  for (const event of events) {
    const changed = event.statusChanged!;
    const line = `${changed.userId}/${changed.network}`;
    expect(changed.sequence).toBeGreaterThan(last.get(line) ?? -1n);
    last.set(line, changed.sequence);
  }
}

/** Terminates the service's connections `times` times, 100 ms apart; returns how many it ended. */
async function dropConnectionsWhile(target: TestDatabase, times: number): Promise<number> {
  if (target.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
  const admin = new Client({ connectionString: target.config.url });
  await admin.connect();
  let ended = 0;
  try {
    for (let i = 0; i < times; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'mdn-provisioning'`,
      );
      ended += killed.rowCount ?? 0;
    }
  } finally {
    await admin.end();
  }
  return ended;
}

describe('status events on a real Kafka broker', () => {
  let target: TestDatabase;
  let running: RunningApp;
  let admin: ApiClient;
  const clock = new ManualClock(new Date('2026-10-01T00:00:00.000Z'));
  const topic = `mdn.test.${randomUUID()}`;

  beforeAll(async () => {
    target = await createPostgresDatabase();
    running = await startApp(testConfig(target, kafkaEnv(topic)), { clock });
    admin = apiClient(running.baseUrl, 'admin');
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  it('each status change is one event with the right fields and a growing sequence, keyed by user', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
    for (const status of [
      'NEW_REQUEST',
      'OPT_IN_SENT',
      'OPT_IN_RESPONSE_RECEIVED',
      'PENDING_PROVISIONING',
      'ENABLED',
    ]) {
      expect((await admin.post(`/v1/users/${user.id}/networks/verizon/status`, { status })).status).toBe(200);
    }
    const events = await readTopic(
      topic,
      (all) => statusEvents(all).filter((event) => event.key === user.id).length >= 6,
    );
    const mine = statusEvents(events).filter((event) => event.key === user.id);
    // The line's first event when it came to be (No Status), then one per change.
    expect(mine).toHaveLength(6);
    expect(mine.map((event) => event.statusChanged!.status)).toEqual([1, 5, 6, 7, 9, 4]);
    expect(mine.map((event) => event.statusChanged!.sequence)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    const enabled = mine[5].statusChanged!;
    expect(enabled).toMatchObject({
      userId: user.id,
      mdn: user.mdn,
      network: 1, // VERIZON
      previousStatus: 9, // PENDING_PROVISIONING
      status: 4, // ENABLED
      previousIndicator: 3, // RED
      indicator: 1, // GREEN
      source: 'API',
      organizationId: DEFAULT_ORGANIZATION.id,
    });
    // Whose event it is, in the message and in a header a consumer can route on unread.
    expect(mine.map((event) => event.organizationId)).toEqual(mine.map(() => DEFAULT_ORGANIZATION.id));
    expect(enabled.eventId).toBe(mine[5].eventId);
    expect(enabled.lastSeenAt?.seconds).toBe(BigInt(clock.now().getTime() / 1000));
    expectOrderedPerLine(mine);
    const registered = distinct(events).find(
      (event) => event.key === user.id && event.type === 'UserRegistered',
    );
    expect(registered).toBeDefined();
    // Each event carries the trace of the request that made it (each request began its own;
    // the registration's two events share one).
    const traces = [registered!, ...mine].map((event) => parseTraceparent(event.traceparent)?.traceId);
    expect(traces.every((trace) => trace !== undefined)).toBe(true);
    expect(new Set(traces).size).toBe(6);
    // Metrics agree: these six and any earlier events published, none left behind.
    const drained = await eventually(async () => {
      const { samples } = await scrapeMetrics(running.baseUrl);
      return samples.get('mdn_outbox_unsent_events') === 0 ? samples : undefined;
    });
    expect(drained.get('mdn_outbox_published_events_total')).toBeGreaterThanOrEqual(6);
    expect(drained.get('mdn_outbox_relay_configured')).toBe(1);
    expect(drained.get('mdn_outbox_relay_running')).toBe(1);
    expect(drained.get('mdn_outbox_relay_publishing')).toBe(1);
    expect(drained.get('mdn_outbox_publish_duration_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('the sweep turns a line ORANGE after 30 days and publishes one event; a second run publishes nothing', async () => {
    const user = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
    await admin.post(`/v1/users/${user.id}/networks/att/status`, { status: 'ENABLED' });
    const sweep = running.app.get(SweepStaleLines);
    clock.advanceDays(30);
    expect(await sweep.execute()).toBe(0);
    clock.advanceDays(1);
    expect(await sweep.execute()).toBeGreaterThanOrEqual(1);
    expect(await sweep.execute()).toBe(0);
    const events = await readTopic(topic, (all) =>
      statusEvents(all).some((event) => event.key === user.id && event.statusChanged!.source === 'SWEEP'),
    );
    const swept = statusEvents(events).filter(
      (event) => event.key === user.id && event.statusChanged!.source === 'SWEEP',
    );
    expect(swept).toHaveLength(1);
    expect(swept[0].statusChanged).toMatchObject({
      previousIndicator: 1,
      indicator: 2,
      status: 4,
      previousStatus: 4,
    });
    // The sweep works for no request: its events carry no trace.
    expect(swept[0].traceparent).toBeUndefined();
  });

  it('with the broker stopped in the middle of 1,000 changes, all arrive once it is back, in order per line, even with the database dropping connections as they drain', async () => {
    const users = [];
    for (let i = 0; i < 50; i++)
      users.push((await admin.post('/v1/users', aUser({ network: 'att' }))).body as { id: string });
    const toggle = async (id: string, rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        const status = round % 2 === 0 ? 'ENABLED' : 'DISABLED';
        const response = await admin.post(`/v1/users/${id}/networks/att/status`, { status });
        expect(response.status).toBe(200);
      }
    };
    // 50 lines x 20 changes = 1,000, the broker going down after the first 300.
    await Promise.all(users.map((user) => toggle(user.id, 6)));
    const broker = readState();
    await stopBroker(broker);
    await Promise.all(users.map((user) => toggle(user.id, 14)));

    const ready = await readJson(await fetch(`${running.baseUrl}/health/ready`));
    expect(ready.details.events.unsent).toBeGreaterThan(0);

    await launch(broker);
    // While the backlog drains, the database drops every connection of the service now
    // and then (as a restart does): reads and marks fail mid-stream and the relay resumes.
    const dropped = dropConnectionsWhile(target, 5);
    const ids = new Set(users.map((user) => user.id));
    const events = await readTopic(
      topic,
      (all) => statusEvents(all).filter((event) => ids.has(event.key)).length >= 1050,
      120_000,
    );
    expect(await dropped).toBeGreaterThan(0);
    const mine = statusEvents(events).filter((event) => ids.has(event.key));
    // 1,000 changes and each line's first event.
    expect(mine).toHaveLength(1050);
    expectOrderedPerLine(mine);
    // Every line's events went to one partition, so Kafka keeps them in that order.
    for (const id of ids)
      expect(new Set(mine.filter((event) => event.key === id).map((event) => event.partition)).size).toBe(1);
  }, 240_000);
});

describe('two relays at once', () => {
  it('deliver each event once in a normal run', async () => {
    const target = await createPostgresDatabase();
    const topic = `mdn.test.${randomUUID()}`;
    const first = await startApp(testConfig(target, kafkaEnv(topic)));
    const second = await startApp(testConfig(target, kafkaEnv(topic, { DB_MIGRATE_ON_START: 'false' })));
    try {
      const admins = [apiClient(first.baseUrl), apiClient(second.baseUrl)];
      const users = [];
      for (let i = 0; i < 20; i++)
        users.push((await admins[i % 2].post('/v1/users', aUser({ network: 'att' }))).body);
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          users.map((user, i) =>
            admins[(i + round) % 2].post(`/v1/users/${user.id}/networks/att/status`, {
              status: round % 2 ? 'DISABLED' : 'ENABLED',
            }),
          ),
        );
      }
      const events = await readTopic(
        topic,
        (all) => all.filter((event) => event.type === 'NetworkStatusChanged').length >= 120,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything late would be a duplicate
      const all = await readTopic(topic, (received) => received.length >= events.length + 20, 3_000);
      const changes = all.filter((event) => event.type === 'NetworkStatusChanged');
      // 100 changes and each line's first event.
      expect(changes).toHaveLength(120);
      expect(new Set(changes.map((event) => event.eventId)).size).toBe(120);
      expectOrderedPerLine(changes);
    } finally {
      await first.stop();
      await second.stop();
      await target.drop();
    }
  }, 120_000);
});

describe('JSON encoding', () => {
  it('publishes the same event as canonical JSON when configured', async () => {
    const target = await createPostgresDatabase();
    const topic = `mdn.test.${randomUUID()}`;
    const running = await startApp(testConfig(target, kafkaEnv(topic, { EVENT_ENCODING: 'json' })));
    try {
      const admin = apiClient(running.baseUrl);
      const user = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
      await admin.post(`/v1/users/${user.id}/networks/att/status`, { status: 'ENABLED' });
      const enabled = (event: ReceivedEvent) =>
        event.type === 'NetworkStatusChanged' && event.value.toString().includes('NETWORK_STATUS_ENABLED');
      const events = await readTopic(topic, (all) => all.some(enabled));
      const changed = events.find(enabled)!;
      expect(JSON.parse(changed.value.toString())).toMatchObject({
        userId: user.id,
        network: 'NETWORK_ATT',
        status: 'NETWORK_STATUS_ENABLED',
        indicator: 'INDICATOR_GREEN',
      });
    } finally {
      await running.stop();
      await target.drop();
    }
  });
});

describe('GET /v1/events', () => {
  it('never skips an event whose transaction commits late', async () => {
    const target = await createPostgresDatabase();
    const running = await startApp(testConfig(target));
    const url = (target.config as { url: string }).url;
    const early = new Client({ connectionString: url });
    const late = new Client({ connectionString: url });
    await early.connect();
    await late.connect();
    try {
      const admin = apiClient(running.baseUrl);
      const insert = (client: Client, key: string) =>
        client.query(
          `INSERT INTO outbox_events (event_id, event_type, key, organization_id, payload)
           VALUES (gen_random_uuid(), 'mdn.provisioning.v1.UserUpdated', $1, $2, ''::bytea)`,
          [key, DEFAULT_ORGANIZATION.id],
        );
      const start = (await admin.get('/v1/events')).body.nextCursor;
      // The first transaction takes its id, then the second commits before it does.
      await early.query('BEGIN');
      await insert(early, 'first-begun');
      await insert(late, 'committed-first');
      const before = await admin.get(`/v1/events${start ? `?after=${start}` : ''}`);
      expect(before.body.items).toEqual([]);
      await early.query('COMMIT');
      // Other tests' transactions on the same server may hold the horizon a moment longer.
      const after = await eventually(async () => {
        const page = await admin.get(`/v1/events${start ? `?after=${start}` : ''}`);
        return page.body.items.length >= 2 ? page : undefined;
      });
      expect(after.body.items.map((item: { key: string }) => item.key)).toEqual([
        'first-begun',
        'committed-first',
      ]);
      const next = await admin.get(`/v1/events?after=${after.body.nextCursor}`);
      expect(next.body).toEqual({ items: [], nextCursor: after.body.nextCursor });
    } finally {
      await early.end();
      await late.end();
      await running.stop();
      await target.drop();
    }
  });

  it('serves the events of changes without Kafka', async () => {
    const target = await createPostgresDatabase();
    const running = await startApp(testConfig(target));
    try {
      const admin = apiClient(running.baseUrl);
      const user = (await admin.post('/v1/users', aUser({ network: 'att' }))).body;
      await admin.post(`/v1/users/${user.id}/networks/att/status`, { status: 'ENABLED' });
      // Events show once every older transaction in the cluster has finished: poll briefly.
      const feed = await eventually(async () => {
        const body = (await admin.get('/v1/events')).body;
        return body.items.length >= 3 ? body : undefined;
      });
      expect(feed.items.map((item: { type: string }) => item.type)).toEqual([
        'mdn.provisioning.v1.UserRegistered',
        'mdn.provisioning.v1.NetworkStatusChanged',
        'mdn.provisioning.v1.NetworkStatusChanged',
      ]);
      expect(feed.items[1].event).toMatchObject({
        userId: user.id,
        status: 'NETWORK_STATUS_NO_STATUS',
        sequence: '1',
      });
      expect(feed.items[2].event).toMatchObject({
        userId: user.id,
        status: 'NETWORK_STATUS_ENABLED',
        statusLabel: 'Enabled',
        networkLabel: 'AT&T',
        sequence: '2',
      });
      const badCursor = await admin.get('/v1/events?after=nope');
      expect(badCursor.status).toBe(400);
      expect((await apiClient(running.baseUrl, null).get('/v1/events')).status).toBe(401);
    } finally {
      await running.stop();
      await target.drop();
    }
  });
});
