import { fromBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import {
  NetworkStatusChangedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserUpdatedSchema,
} from '../generated/proto/mdn/provisioning/v1/events_pb';
import type { OutboxMessage } from './outbox-message';
import type { PublishedEvent } from './relay/event-publisher';

const SCHEMAS: Record<string, DescMessage> = Object.fromEntries(
  [NetworkStatusChangedSchema, UserRegisteredSchema, UserUpdatedSchema, UserDeletedSchema].map((schema) => [
    schema.typeName,
    schema,
  ]),
);

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
 * The Kafka message for a stored event: protobuf bytes (default) or, for consumers that
 * want it, the same message's canonical JSON. Headers name the event type, the schema's
 * full name, the event id and the
 * organisation's id either way, and carry the W3C `traceparent` of the work that
 * wrote the event when it had one.
 */
export function toKafkaMessage(
  event: OutboxMessage & { traceParent?: string | null },
  encoding: 'protobuf' | 'json',
): PublishedEvent {
  const schema = schemaOf(event.eventType);
  const value =
    encoding === 'json'
      ? Buffer.from(JSON.stringify(toEventJson(event)))
      : Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength);
  const headers: Record<string, string> = {
    'event-type': schema.name,
    schema: schema.typeName,
    'event-id': event.eventId,
    'organization-id': event.organizationId,
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
  };
  if (event.traceParent) headers.traceparent = event.traceParent;
  return { key: event.key, value, headers };
}
