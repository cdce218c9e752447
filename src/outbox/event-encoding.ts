import { fromBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import {
  LineStateSchema,
  NetworkStatusChangedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserUpdatedSchema,
} from '../generated/proto/mdn/provisioning/v1/events_pb';
import { derivedLineState } from './line-state-record';
import type { OutboxMessage } from './outbox-message';
import type { PublishedEvent } from './relay/event-publisher';

const SCHEMAS: Record<string, DescMessage> = Object.fromEntries(
  [
    NetworkStatusChangedSchema,
    UserRegisteredSchema,
    UserUpdatedSchema,
    UserDeletedSchema,
    LineStateSchema,
  ].map((schema) => [schema.typeName, schema]),
);

/**
 * Records of this type go to the compacted current-state topic, not the change topic (an
 * empty payload is a tombstone); the feed leaves them out.
 */
export const STATE_RECORD = LineStateSchema.typeName;

/** The event's canonical protobuf JSON (the feed, and Kafka when JSON is asked for). */
export function toEventJson(event: OutboxMessage): JsonValue {
  const schema = schemaOf(event.eventType);
  return toJson(schema, fromBinary(schema, event.payload));
}

function schemaOf(eventType: string): DescMessage {
  const schema = SCHEMAS[eventType];
  if (!schema) throw new Error(`No schema for event type ${eventType}`);
  return schema;
}

/**
 * The Kafka headers, all documented in docs/asyncapi.yaml (KAFKA_HEADERS keeps the two
 * in step):
 * - `event-type`: the protobuf message's full name, e.g.
 *   `mdn.provisioning.v1.NetworkStatusChanged`: the same word as the feed's `type`;
 * - `schema`: the same full name (the header consumers of the first version read);
 * - `event-id`, `organization-id`: as in the message;
 * - `content-type`: `application/x-protobuf` (default) or `application/json` (the same
 *   message's canonical protobuf JSON, when KAFKA_ENCODING=json);
 * - `traceparent`: the W3C trace context of the work that wrote the event, when it had one.
 */
export const KAFKA_HEADERS = [
  'event-type',
  'schema',
  'event-id',
  'organization-id',
  'content-type',
  'traceparent',
] as const;

/**
 * What the relay publishes for a stored event: its message, then, for a line's event, the
 * line's state record derived from it (line-state-record.ts), in that order.
 */
export function toKafkaMessages(
  event: OutboxMessage & { traceParent?: string | null },
  encoding: 'protobuf' | 'json',
): PublishedEvent[] {
  const state = derivedLineState(event);
  const message = toKafkaMessage(event, encoding);
  return state ? [message, toKafkaMessage(state, encoding)] : [message];
}

/** The Kafka message for one event or record: protobuf bytes (default) or its canonical JSON. */
export function toKafkaMessage(
  event: OutboxMessage & { traceParent?: string | null },
  encoding: 'protobuf' | 'json',
): PublishedEvent {
  const schema = schemaOf(event.eventType);
  const topic = event.eventType === STATE_RECORD ? 'state' : 'changes';
  const tombstone = topic === 'state' && event.payload.byteLength === 0;
  const value = tombstone
    ? null
    : encoding === 'json'
      ? Buffer.from(JSON.stringify(toEventJson(event)))
      : Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength);
  const headers: Partial<Record<(typeof KAFKA_HEADERS)[number], string>> = {
    'event-type': schema.typeName,
    schema: schema.typeName,
    'event-id': event.eventId,
    'organization-id': event.organizationId,
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
  };
  if (event.traceParent) headers.traceparent = event.traceParent;
  return { topic, key: event.key, value, headers };
}
