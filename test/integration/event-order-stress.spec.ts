import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { Client } from 'pg';
import {
  UserDeletedSchema,
  UserRegisteredSchema,
  UserUpdatedSchema,
} from '../../src/generated/proto/mdn/provisioning/v1/events_pb';
import { SweepStaleLines } from '../../src/lines/sweep/sweep-stale-lines.usecase';
import { aUser } from '../support/factories';
import { startReplicas, type ReplicasHarness } from '../support/flow';
import { apiClient, type ApiClient } from '../support/http';
import { readTopic, testBrokers, type ReceivedEvent } from '../support/kafka-consumer';
import { eventually } from '../support/eventually';
import { signedPost } from '../support/signed';

const USERS = 40;
const ROUNDS = 12;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const USER_SCHEMAS = {
  UserRegistered: UserRegisteredSchema,
  UserUpdated: UserUpdatedSchema,
  UserDeleted: UserDeletedSchema,
} as const;

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const some = <T>(items: T[], n: number): T[] => Array.from({ length: n }, () => pick(items));

/** Each stream's sequences, in partition order, without redeliveries: 1, 2, 3, ... with no gap. */
function sequencesByStream(events: ReceivedEvent[]): Map<string, number[]> {
  const seen = new Set<string>();
  const streams = new Map<string, number[]>();
  const ordered = [...events].sort(
    (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
  );
  for (const event of ordered) {
    if (seen.has(event.eventId)) continue; // at least once: a batch sent again after a failed mark
    seen.add(event.eventId);
    let stream: string;
    let sequence: bigint;
    if (event.statusChanged) {
      stream = `${event.statusChanged.userId}/${event.statusChanged.network}`;
      sequence = event.statusChanged.sequence;
    } else {
      const schema = USER_SCHEMAS[event.type as keyof typeof USER_SCHEMAS];
      stream = `user ${event.key}`;
      sequence = fromBinary(schema, event.value).sequence;
    }
    streams.set(stream, [...(streams.get(stream) ?? []), Number(sequence)]);
  }
  return streams;
}

/**
 * The sweep, admin moves, user changes, carrier callbacks and sightings on the same lines
 * at once, from two replicas on one PostgreSQL database, with the clock moving between
 * the changes and the sweep (so lines cross the staleness boundary while both run). On
 * the real broker every line's and user's sequences come 1, 2, 3, ... in partition order.
 * The window of the sweep's race is narrow here; event-order-sweep.spec.ts opens it wide
 * and fails on the code before the fix.
 */
describe('event order under every race, two replicas, real Kafka', () => {
  let flow: ReplicasHarness;
  let sql: Client;
  const topic = `mdn.test.${randomUUID()}`;

  beforeAll(async () => {
    flow = await startReplicas(2, {
      PROVISION_ON_REGISTER: 'false',
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '3',
      OUTBOX_POLL_MS: '50',
      STALE_AFTER_DAYS: '1',
    });
    const config = flow.database.config;
    sql = new Client({ connectionString: config.kind === 'postgres' ? config.url : '' });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await flow.stop();
  });

  it('every line and user is published gap-free and in order', async () => {
    const clients: ApiClient[] = flow.replicas.map((replica) => apiClient(replica.baseUrl, 'admin'));
    const users: { id: string; mdn: string }[] = [];
    for (let i = 0; i < USERS; i++)
      users.push((await pick(clients).post('/v1/users', aUser({ network: 'att' }))).body);
    // Enabled and seen at times spread over the rounds to come: lines go stale one after another.
    const start = flow.clock.now().getTime();
    await sql.query(
      `UPDATE network_lines SET status = 'ENABLED', indicator = 'GREEN',
         last_seen_at = $1::timestamptz - interval '1 day' + (random() * $2) * interval '1 millisecond'`,
      [new Date(start), ROUNDS * HOUR_MS],
    );
    const statuses: number[] = [];
    const note = (response: { status: number }) => statuses.push(response.status);
    const callback = (user: { mdn: string }, body: Record<string, unknown>) =>
      signedPost(
        `${pick(flow.replicas).baseUrl}/v1/webhooks/carriers/att`,
        JSON.stringify({
          callbackId: randomUUID(),
          occurredAt: flow.clock.now().toISOString(),
          mdn: user.mdn,
          ...body,
        }),
        { secret: flow.secrets.att },
      ).then(note);

    for (let round = 0; round < ROUNDS; round++) {
      const now = flow.clock.now().getTime();
      const work: Promise<unknown>[] = [
        ...some(users, 8).map((user) =>
          pick(clients)
            .post(`/v1/users/${user.id}/networks/att/status`, { status: pick(['ENABLED', 'DISABLED']) })
            .then(note),
        ),
        ...some(users, 4).map((user) =>
          pick(clients)
            .patch(`/v1/users/${user.id}`, { company: `Co ${round}` })
            .then(note),
        ),
        ...some(users, 8).map((user) =>
          callback(user, { type: 'provisioning.updated', status: pick(['ENABLED', 'DISABLED']) }),
        ),
        ...some(users, 8).map((user) => callback(user, { type: 'activity.seen' })),
        ...some(users, 8).map((user) =>
          pick(clients)
            .post(`/v1/users/${user.id}/networks/att/sightings`, {
              seenAt: new Date(now - Math.random() * 2 * DAY_MS).toISOString(),
            })
            .then(note),
        ),
      ];
      // The sweep runs on a clock a little ahead of the changes it meets.
      await new Promise((resolve) => setTimeout(resolve, 5));
      flow.clock.advanceSeconds(1800);
      work.push(...flow.replicas.map((replica) => replica.app.get(SweepStaleLines).execute()));
      await Promise.all(work);
      flow.clock.advanceSeconds(1800);
    }
    // Refusals (409: a move the machine refuses, a concurrent change) are answers; nothing failed.
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    // Callbacks were only accepted (202): their events are written when the inbox applies
    // them. Counted before that, a line that moved later showed one event more than counted.
    await eventually(async () => {
      const { rows } = await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_receipts WHERE completed_at IS NULL',
      );
      return rows[0].n === 0 ? true : undefined;
    }, 60_000);

    const { rows: lines } = await sql.query<{ stream: string; n: number }>(
      `SELECT user_id || '/' || CASE network WHEN 'att' THEN 2 END AS stream, event_sequence AS n FROM network_lines
       UNION ALL SELECT 'user ' || id, event_sequence FROM users`,
    );
    const expected = new Map(lines.map((row) => [row.stream, row.n]));
    const total = [...expected.values()].reduce((sum, n) => sum + n, 0);
    // Generous: the relay publishes only settled events, and a transaction held open by
    // anything else on the same server (another suite, a benchmark) holds them back.
    const events = await readTopic(
      topic,
      (all) => new Set(all.map((event) => event.eventId)).size >= total,
      180_000,
    );
    const streams = sequencesByStream(events);
    const wrong = [...expected].flatMap(([stream, n]) => {
      const got = streams.get(stream) ?? [];
      const want = Array.from({ length: n }, (_, i) => i + 1);
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [{ stream, got, want }];
    });
    if (wrong.length > 0) {
      const { rows: holders } = await sql.query(
        `SELECT datname, xact_start, state FROM pg_stat_activity
         WHERE backend_xmin IS NOT NULL ORDER BY xact_start LIMIT 3`,
      );
      process.stdout.write(`oldest transactions on the server: ${JSON.stringify(holders)}\n`);
    }
    expect(wrong).toEqual([]);
    // The workload did make events of every kind, sweeps included.
    const sources = new Set(
      events.flatMap((event) => (event.statusChanged ? [event.statusChanged.source] : [])),
    );
    expect([...sources].sort()).toEqual(['API', 'CARRIER_CALLBACK', 'SWEEP']);
    process.stdout.write(`${total} events over ${expected.size} streams in order\n`);
  }, 360_000);
});
