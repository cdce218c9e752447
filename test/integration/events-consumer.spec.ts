import { randomUUID } from 'node:crypto';
import { fromBinary, toJson, type DescMessage } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ensureTopics } from '../../src/outbox/relay/kafka-topics';
import {
  LineStateSchema,
  NetworkStatusChangedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserUpdatedSchema,
} from '../../src/generated/proto/mdn/provisioning/v1/events_pb';
import {
  applyEvent,
  applyState,
  differences,
  liveUsers,
  tableFromRest,
  type AdminTable,
  type RestUser,
} from '../support/admin-table';
import {
  newSecrets,
  serviceEnv,
  ServiceUnderTest,
  startSimulatorProcess,
  type SimulatorProcess,
} from '../support/crash';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';
import { endOffsets, readToEnd, testBrokers, type RawRecord } from '../support/kafka-consumer';
import { freePort } from '../support/process';
import { signedPost } from '../support/signed';

const SCHEMAS: Record<string, DescMessage> = Object.fromEntries(
  [
    NetworkStatusChangedSchema,
    UserRegisteredSchema,
    UserUpdatedSchema,
    UserDeletedSchema,
    LineStateSchema,
  ].map((schema) => [schema.typeName, schema]),
);
const NETWORKS = ['att', 'tmobile', 'verizon'] as const;
const DAY_MS = 86_400_000;

const decode = (record: RawRecord) => {
  const schema = SCHEMAS[record.headers['event-type']];
  return toJson(schema, fromBinary(schema, record.value!)) as Record<string, unknown>;
};

/**
 * A portal that starts late: it notes the change topic's end, reads the compacted state
 * topic to its end, then follows the change topic from the noted offsets, skipping what
 * the state already shows (sequence at or below). Its table must equal GET /v1/users.
 */
describe('a consumer rebuilds the admin table from the compacted topic and the change topic', () => {
  const topic = `mdn.test.${randomUUID()}`;
  const stateTopic = `mdn.test.state.${randomUUID()}`;
  const secrets = newSecrets();
  let target: TestDatabase;
  let simulator: SimulatorProcess;
  let service: ServiceUnderTest;
  let admin: ApiClient;
  let sql: Client;
  const users: { id: string; mdn: string; network: string }[] = [];

  beforeAll(async () => {
    target = await createPostgresDatabase();
    const port = await freePort();
    simulator = await startSimulatorProcess(`http://127.0.0.1:${port}`, secrets);
    service = new ServiceUnderTest(
      port,
      serviceEnv(simulator.url, secrets, {
        DATABASE_URL: target.config.kind === 'postgres' ? target.config.url : '',
        DB_MIGRATE_ON_START: 'true',
        PROVISION_ON_REGISTER: 'false',
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC: topic,
        KAFKA_STATE_TOPIC: stateTopic,
        KAFKA_TOPIC_PARTITIONS: '3',
        OUTBOX_POLL_MS: '50',
      }),
    );
    await service.start();
    admin = apiClient(service.baseUrl, 'admin');
    sql = new Client({ connectionString: target.config.kind === 'postgres' ? target.config.url : '' });
    await sql.connect();
  }, 240_000);
  afterAll(async () => {
    await sql.end();
    await service.stop();
    await simulator.stop();
    await target.drop();
  });

  const callback = (user: { mdn: string; network: string }, body: Record<string, unknown>) =>
    signedPost(
      `${service.baseUrl}/v1/webhooks/carriers/${user.network}`,
      JSON.stringify({
        callbackId: randomUUID(),
        occurredAt: new Date().toISOString(),
        mdn: user.mdn,
        ...body,
      }),
      { secret: secrets[user.network as 'att'] },
    );

  /** Admin moves, user changes, callbacks, sightings (some a month old: ORANGE), a deletion, new users. */
  async function mixedWork(round: number): Promise<void> {
    for (let i = 0; i < 6; i++) {
      const network = NETWORKS[(round + i) % 3];
      const body = (
        await admin.post('/v1/users', aUser({ network, company: `Start ${round}` })).catch(() => undefined)
      )?.body;
      if (body?.id) users.push({ id: body.id, mdn: body.mdn, network });
    }
    const calls = users.map((user, i) => {
      switch ((i + round) % 6) {
        case 0:
          return admin.post(`/v1/users/${user.id}/networks/${user.network}/status`, {
            status: user.network === 'verizon' ? 'NEW_REQUEST' : 'ENABLED',
          });
        case 1:
          return admin.patch(`/v1/users/${user.id}`, {
            company: `Company ${round}`,
            businessPhone: '+12015550100',
            messagingAppVersion: `4.${round}`,
          });
        case 2:
          return callback(user, { type: 'provisioning.updated', status: 'ENABLED' });
        case 3:
          return callback(user, { type: 'activity.seen' });
        case 4:
          return admin.post(`/v1/users/${user.id}/networks/${user.network}/sightings`, {
            seenAt: new Date(Date.now() - 40 * DAY_MS).toISOString(),
          });
        default:
          return admin.post(`/v1/users/${user.id}/networks/${user.network}/sightings`, {});
      }
    });
    // Requests cut by a kill fail; what committed must show in both views all the same.
    await Promise.allSettled(calls);
    if (users.length > 8 && round % 2 === 1)
      await admin.delete(`/v1/users/${users[round].id}`).catch(() => undefined);
  }

  async function drained(): Promise<void> {
    // Every event written is behind the relay's mark.
    await eventually(async () => {
      const { rows } = await sql.query<{ unsent: number }>(
        `SELECT count(*)::int AS unsent FROM outbox_events e
         WHERE NOT EXISTS (SELECT 1 FROM outbox_offsets o WHERE o.name = 'outbox-relay' AND (e.txid, e.id) <= (o.txid, o.id))`,
      );
      return rows[0].unsent === 0 ? true : undefined;
    }, 60_000);
  }

  async function restTable(): Promise<AdminTable> {
    const all: RestUser[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse<{ items: RestUser[]; nextCursor: string | null }> = await admin.get(
        `/v1/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return liveUsers(tableFromRest(all));
  }

  async function rebuild(during: () => Promise<void>): Promise<{ table: AdminTable; gaps: string[] }> {
    // The hand-over: note where the change topic ends, read the state, then follow from the note.
    const noted = await endOffsets(topic).catch(() => new Map<number, number>());
    const table: AdminTable = new Map();
    for (const record of await readToEnd(stateTopic)) {
      applyState(table, record.key, record.value === null ? null : decode(record));
    }
    await during();
    await drained();
    const gaps: string[] = [];
    for (const record of await readToEnd(topic)) {
      if (record.offset < (noted.get(record.partition) ?? 0)) continue;
      applyEvent(table, record.headers['event-type'], decode(record), gaps);
    }
    return { table: liveUsers(table), gaps };
  }

  it('after a mixed workload: zero differences', async () => {
    await mixedWork(0);
    await mixedWork(1);
    await drained();
    const { table, gaps } = await rebuild(async () => {
      await mixedWork(2);
      await mixedWork(3);
    });
    expect(gaps).toEqual([]);
    const rest = await restTable();
    expect(rest.size).toBeGreaterThan(10);
    expect(differences(rest, table)).toEqual([]);
  }, 240_000);

  it('after the service is killed mid-workload: zero differences', async () => {
    const { table, gaps } = await rebuild(async () => {
      const working = mixedWork(4);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await service.kill();
      await working;
      await service.start();
      await mixedWork(5);
    });
    expect(gaps).toEqual([]);
    expect(differences(await restTable(), table)).toEqual([]);
  }, 300_000);
});

describe('the topics and their settings', () => {
  it('are created with their settings; a topic with other settings is reported', async () => {
    const kafka = new Kafka({
      clientId: 'test-topics',
      brokers: [testBrokers()],
      logLevel: logLevel.NOTHING,
    });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      const made = `mdn.test.made.${randomUUID()}`;
      const spec = { name: made, partitions: 2, configs: { 'cleanup.policy': 'compact' } };
      expect(await ensureTopics(kafkaAdmin, [spec])).toEqual([]);
      // Made with its settings: checking it again finds nothing to say.
      expect(await ensureTopics(kafkaAdmin, [spec])).toEqual([]);
      const other = `mdn.test.other.${randomUUID()}`;
      await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic: other, numPartitions: 1 }] });
      expect(await ensureTopics(kafkaAdmin, [{ ...spec, name: other }])).toEqual([
        `topic ${other} has cleanup.policy=delete, expected compact`,
        `topic ${other} has 1 partitions, expected 2`,
      ]);
    } finally {
      await kafkaAdmin.disconnect();
    }
  });
});
