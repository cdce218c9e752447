import { fromBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import {
  NetworkStatusChangedSchema,
  type NetworkStatusChanged,
} from '../../src/generated/proto/mdn/provisioning/v1/events_pb';

export interface ReceivedEvent {
  key: string;
  type: string;
  eventId: string;
  partition: number;
  offset: string;
  /** The W3C trace context of the work that wrote the event, when it had one. */
  traceparent?: string;
  /** The organisation whose event it is (the organization-id header). */
  organizationId?: string;
  /** Decoded with the generated code when the event is a NetworkStatusChanged. */
  statusChanged?: NetworkStatusChanged;
  value: Buffer;
}

export function testBrokers(): string {
  const brokers = process.env.KAFKA_TEST_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_TEST_BROKERS is not set: the integration global setup starts the broker');
  return brokers;
}

/**
 * Reads the topic from the beginning with a fresh consumer group until `until` says it
 * has enough (or the time runs out), and returns what arrived in partition order.
 */
export async function readTopic(
  topic: string,
  until: (events: ReceivedEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<ReceivedEvent[]> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: [testBrokers()], logLevel: logLevel.NOTHING });
  await topicExists(kafka, topic, timeoutMs);
  const consumer = kafka.consumer({ groupId: `test-${Math.random().toString(36).slice(2)}` });
  const events: ReceivedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: ({ message, partition }) => {
      const header = (name: string) => message.headers?.[name]?.toString() ?? '';
      const value = message.value ?? Buffer.alloc(0);
      // The header is the message's full name (as the feed's `type`); tests match the short one.
      const type = header('event-type').split('.').pop() ?? '';
      events.push({
        key: message.key?.toString() ?? '',
        type,
        eventId: header('event-id'),
        partition,
        offset: message.offset,
        traceparent: header('traceparent') || undefined,
        organizationId: header('organization-id') || undefined,
        value,
        statusChanged:
          type === 'NetworkStatusChanged' && header('content-type') !== 'application/json'
            ? fromBinary(NetworkStatusChangedSchema, value)
            : undefined,
      });
      if (until(events)) done();
      return Promise.resolve();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return events;
}

/** The relay creates the topic with its first publish; readers may come first. */
async function topicExists(kafka: Kafka, topic: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} was never created`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

export interface RawRecord {
  partition: number;
  offset: number;
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Each partition's end offset now (the offset the next record will take). */
export async function endOffsets(topic: string): Promise<Map<number, number>> {
  const kafka = new Kafka({ clientId: 'test-offsets', brokers: [testBrokers()], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Every record of the topic up to its end offsets now, in partition order (tombstones included). */
export async function readToEnd(topic: string, timeoutMs = 60_000): Promise<RawRecord[]> {
  const ends = await endOffsets(topic);
  const wanted = [...ends.values()].reduce((sum, end) => sum + end, 0);
  const kafka = new Kafka({ clientId: 'test-reader', brokers: [testBrokers()], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${Math.random().toString(36).slice(2)}` });
  const records: RawRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const caughtUp = () =>
    [...ends].every(
      ([partition, end]) =>
        records.some((record) => record.partition === partition && record.offset >= end - 1) || end === 0,
    );
  if (wanted === 0) done();
  await consumer.run({
    eachMessage: ({ message, partition }) => {
      const offset = Number(message.offset);
      if (offset < (ends.get(partition) ?? 0)) {
        records.push({
          partition,
          offset,
          key: message.key?.toString() ?? '',
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']),
          ),
        });
      }
      if (caughtUp()) done();
      return Promise.resolve();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
