/*
 * The outbox relay's events a second to a real Kafka broker, beside a bare kafkajs
 * producer (same settings: idempotent, acks=all, 5 in flight) sending the same messages
 * in batches of the same size, in the same run. The events are line events, so each goes
 * out with its line's state record.
 */
import { DEFAULT_ORGANIZATION } from '../src/organizations/domain/default-organization';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { SystemClock } from '../src/common/clock';
import { toKafkaMessages } from '../src/outbox/event-encoding';
import type { PublishedEvent } from '../src/outbox/relay/event-publisher';
import { networkStatusChanged } from '../src/lines/events/line-events';
import type { OutboxMessage } from '../src/outbox/outbox-message';
import { KafkaEventPublisher } from '../src/outbox/relay/kafka-event-publisher';
import { OutboxRelay } from '../src/outbox/relay/outbox-relay';
import { OutboxRepository } from '../src/outbox/persistence/outbox.repository';
import { Metrics } from '../src/metrics/metrics.service';
import { startBroker, stopBroker } from '../test/infra/kafka/broker';
import { openBenchDatabase } from './database';
import { run } from './support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 500;
const USERS = 1_000;

function sampleEvents(count: number): OutboxMessage[] {
  const users = Array.from({ length: USERS }, () => randomUUID());
  return Array.from({ length: count }, (_, i) =>
    networkStatusChanged({
      organizationId: DEFAULT_ORGANIZATION.id,
      user: {
        id: users[i % USERS],
        organizationId: DEFAULT_ORGANIZATION.id,
        firstName: 'Ada',
        lastName: 'Lovelace',
        username: `ada${i % USERS}`,
        mdn: `+1201555${String(i % USERS).padStart(4, '0')}`,
        email: 'ada@example.com',
        status: 'ACTIVE',
        businessPhone: null,
        company: 'Analytical Engines',
        customerCode: null,
        udid: null,
        serviceLevel: null,
        messagingAppVersion: null,
        registeredAt: new Date(),
        eventSequence: 1,
      },
      network: 'att',
      previousStatus: i % 2 ? 'ENABLED' : 'DISABLED',
      status: i % 2 ? 'DISABLED' : 'ENABLED',
      reason: null,
      previousIndicator: i % 2 ? 'GREEN' : 'NONE',
      indicator: i % 2 ? 'NONE' : 'GREEN',
      indicatorReason: null,
      statusChangedAt: new Date(),
      lastSeenAt: new Date(),
      sequence: Math.floor(i / USERS) + 1,
      source: 'API',
      occurredAt: new Date(),
    }),
  );
}

async function main() {
  const broker = await startBroker();
  const brokers = [`127.0.0.1:${broker.port}`];
  const bench = await openBenchDatabase({
    KAFKA_BROKERS: brokers.join(','),
    OUTBOX_BATCH_SIZE: String(BATCH),
  });
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: ['bench.bare', 'bench.relay'].map((topic) => ({
        topic,
        numPartitions: 6,
        replicationFactor: 1,
      })),
    });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const config = {
      ...bench.config.outbox,
      kafka: { ...bench.config.outbox.kafka!, topic: 'bench.relay' },
    };
    const publisher = new KafkaEventPublisher(config.kafka);
    const relay = new OutboxRelay(
      new OutboxRepository(bench.service),
      publisher,
      new SystemClock(),
      config,
      new Metrics(),
    );

    // Baseline: the same messages, straight from memory to Kafka: each event and its line's
    // state record (which the relay derives from the event as it publishes), a batch of
    // events at a time.
    const bareRound = async (events: OutboxMessage[]) => {
      const batches: PublishedEvent[][] = [];
      for (let i = 0; i < events.length; i += BATCH) {
        batches.push(events.slice(i, i + BATCH).flatMap((event) => toKafkaMessages(event, 'protobuf')));
      }
      const started = process.hrtime.bigint();
      for (const messages of batches) await producer.send({ topic: 'bench.bare', acks: -1, messages });
      return events.length / (Number(process.hrtime.bigint() - started) / 1e9);
    };
    // The relay: the same events from the outbox table, its mark moving as it goes. Rows read
    // a moment after one bulk insert cost PostgreSQL more on first touch (hint bits, no
    // visibility map) than a backlog that has waited, which VACUUM stands in for.
    const relayRound = async (events: OutboxMessage[], backlog: 'waited' | 'fresh') => {
      await insertIntoOutbox(bench.url, events);
      if (backlog === 'waited') await run(bench.url, 'VACUUM (ANALYZE) outbox_events');
      const started = process.hrtime.bigint();
      let sent = 0;
      for (let published; (published = await relay.relayOnce()) > 0;) sent += published;
      const rate = events.length / (Number(process.hrtime.bigint() - started) / 1e9);
      if (sent !== events.length) throw new Error(`relay sent ${sent} of ${events.length}`);
      return rate;
    };

    // A first round each, not measured, connects and warms both sides (and the broker's JIT).
    await bareRound(sampleEvents(EVENTS));
    await relayRound(sampleEvents(EVENTS), 'fresh');
    // Rounds alternate, so drift on the machine touches every side alike.
    const bare: number[] = [];
    const waited: number[] = [];
    const fresh: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await bareRound(sampleEvents(EVENTS)));
      waited.push(await relayRound(sampleEvents(EVENTS), 'waited'));
      fresh.push(await relayRound(sampleEvents(EVENTS), 'fresh'));
    }
    await producer.disconnect();
    await publisher.close();

    const line = (name: string, rates: number[]) =>
      `${name.padEnd(40)} ${median(rates).toFixed(0).padStart(7)} events/s  ` +
      `${((median(rates) / median(bare)) * 100).toFixed(0).padStart(3)}% of bare  (rounds: ${rates.map((rate) => rate.toFixed(0)).join(', ')})\n`;
    process.stdout.write(
      `${EVENTS} events per round, batches of ${BATCH}, real Kafka broker (KRaft, 1 node), median of ${ROUNDS} rounds\n`,
    );
    process.stdout.write(line('bare kafkajs producer', bare));
    process.stdout.write(line('outbox relay, a backlog that waited', waited));
    process.stdout.write(line('outbox relay, rows just bulk-inserted', fresh));
  } finally {
    await bench.close();
    await stopBroker(broker);
  }
}

async function insertIntoOutbox(url: string, events: OutboxMessage[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO outbox_events (event_id, event_type, key, organization_id, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bytea[])`,
      [
        events.map((event) => event.eventId),
        events.map((event) => event.eventType),
        events.map((event) => event.key),
        events.map((event) => event.organizationId),
        events.map((event) => Buffer.from(event.payload)),
      ],
    );
  } finally {
    await client.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
