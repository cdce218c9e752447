import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config';
import { networkStatusChanged, userEvent } from '../../src/lines/events/line-events';
import { lineState } from '../../src/lines/persistence/line-states';
import { KAFKA_HEADERS, toKafkaMessage } from '../../src/outbox/event-encoding';
import { topicSpecs } from '../../src/outbox/relay/kafka-topics';
import { file_mdn_provisioning_v1_events } from '../../src/generated/proto/mdn/provisioning/v1/events_pb';

const ROOT = join(__dirname, '../..');
const doc = parse(readFileSync(join(ROOT, 'docs/asyncapi.yaml'), 'utf8'));

const user = {
  id: '01936b2e-1234-7890-8123-456789012345',
  organizationId: '00000000-0000-4000-8000-000000000001',
  firstName: 'Ada',
  lastName: 'L',
  username: 'ada',
  mdn: '+12015550123',
  email: 'a@x.io',
  status: 'ACTIVE' as const,
  businessPhone: null,
  company: null,
  customerCode: null,
  udid: null,
  serviceLevel: null,
  messagingAppVersion: null,
  registeredAt: new Date('2026-11-01T09:00:00.000Z'),
  eventSequence: 1,
};
const at = new Date('2026-11-20T10:00:00.000Z');

/** One of every record the service writes, as the relay sends it. */
function everyRecord() {
  const line = networkStatusChanged({
    organizationId: user.organizationId,
    user,
    network: 'att',
    previousStatus: 'NO_STATUS',
    status: 'ENABLED',
    reason: null,
    previousIndicator: 'NONE',
    indicator: 'GREEN',
    indicatorReason: null,
    statusChangedAt: at,
    lastSeenAt: at,
    sequence: 2,
    source: 'API',
    occurredAt: at,
  });
  const state = {
    userId: user.id,
    organizationId: user.organizationId,
    network: 'att' as const,
    status: 'ENABLED' as const,
    reason: null,
    indicator: 'GREEN' as const,
    statusChangedAt: at,
    lastSeenAt: at,
    sequence: 2,
    user: { ...user, registeredAt: user.registeredAt.toISOString() },
  };
  const records = [
    line,
    userEvent('registered', user, at),
    userEvent('updated', user, at),
    userEvent('deleted', { ...user, status: 'DELETED' }, at),
    lineState(state, at),
    lineState({ ...state, user: { ...state.user, status: 'DELETED' } }, at),
  ];
  return (['protobuf', 'json'] as const).flatMap((encoding) =>
    records.map((record) =>
      toKafkaMessage(
        { ...record, traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        encoding,
      ),
    ),
  );
}

describe('docs/asyncapi.yaml keeps step with what the service sends', () => {
  const config = loadConfig({ KAFKA_BROKERS: 'localhost:9092' });
  const specs = topicSpecs(config.outbox.kafka!);

  it('is AsyncAPI 3 and names both topics as configured by default, with their settings', () => {
    expect(doc.asyncapi).toMatch(/^3\./);
    for (const [channel, spec] of [
      ['changes', specs[0]],
      ['lines', specs[1]],
    ] as const) {
      const documented = doc.channels[channel];
      expect(documented.address).toBe(spec.name);
      expect(documented.bindings.kafka.partitions).toBe(spec.partitions);
      const configuration = documented.bindings.kafka.topicConfiguration;
      expect(configuration['cleanup.policy']).toEqual([spec.configs['cleanup.policy']]);
      if (spec.configs['retention.ms'])
        expect(String(configuration['retention.ms'])).toBe(spec.configs['retention.ms']);
    }
  });

  it('documents exactly the messages each topic carries, and every header sent', () => {
    const sent = everyRecord();
    const names = (channel: string) =>
      Object.values(doc.channels[channel].messages as Record<string, { $ref: string }>)
        .map((ref) => doc.components.messages[ref.$ref.split('/').pop()!].name as string)
        .sort();
    const sentOn = (topic: string) =>
      [
        ...new Set(
          sent.filter((record) => record.topic === topic).map((record) => record.headers['event-type']),
        ),
      ].sort();
    expect(names('changes')).toEqual(sentOn('changes'));
    expect(names('lines')).toEqual(sentOn('state'));
    const headers = doc.components.messageTraits.outbox.headers;
    expect(Object.keys(headers.properties).sort()).toEqual([...KAFKA_HEADERS].sort());
    for (const record of sent) {
      expect(Object.keys(record.headers).every((name) => name in headers.properties)).toBe(true);
      expect(headers.required.every((name: string) => name in record.headers)).toBe(true);
      expect(headers.properties['content-type'].enum).toContain(record.headers['content-type']);
    }
    // A deleted user's line state is a tombstone: a key with no value.
    expect(sent.filter((record) => record.value === null)).toHaveLength(2);
  });

  it('every payload names a message of events.proto', () => {
    const inProto = new Set(file_mdn_provisioning_v1_events.messages.map((message) => message.typeName));
    for (const message of Object.values<{ name: string; payload: { schema: { $ref: string } } }>(
      doc.components.messages,
    )) {
      expect(inProto).toContain(message.name);
      expect(message.payload.schema.$ref).toBe(`events.proto#${message.name}`);
    }
  });
});
