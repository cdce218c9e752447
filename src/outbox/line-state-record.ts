import { BinaryReader, type WireType } from '@bufbuild/protobuf/wire';
import { uuidV5 } from '../common/uuids';
import {
  LineStateSchema,
  NetworkStatusChangedSchema,
  UserSchema,
  UserStatus,
} from '../generated/proto/mdn/provisioning/v1/events_pb';
import type { OutboxMessage } from './outbox-message';

/** The namespace of derived records' ids (any fixed UUID; it only has to never change). */
const DERIVED_IDS = '6f1c2a52-8d1e-4f0b-9a57-3c6e2d1b7a40';

/** A LineState field takes the event's field of the same name, but for these. */
const RENAMED: Record<string, string> = { updated_at: 'occurred_at' };

/**
 * Event field number → record field number, from the two schemas. A field missing throws
 * at load, as does a record field numbered past 15, whose tag would not fit in one byte.
 */
const RECORD_FIELD = new Map(
  LineStateSchema.fields.map((field) => {
    const source = NetworkStatusChangedSchema.fields.find(
      (candidate) => candidate.name === (RENAMED[field.name] ?? field.name),
    );
    if (!source || source.fieldKind !== field.fieldKind || field.number > 15) {
      throw new Error(`LineState.${field.name} cannot be copied from NetworkStatusChanged`);
    }
    return [source.number, field.number] as const;
  }),
);
const USER_FIELD = NetworkStatusChangedSchema.field.user.number;
const USER_ID_FIELD = NetworkStatusChangedSchema.field.userId.number;
const NETWORK_KEY_FIELD = NetworkStatusChangedSchema.field.networkKey.number;
const USER_STATUS_FIELD = UserSchema.field.status.number;

/**
 * The compacted state topic's record for a line, made from the line's NetworkStatusChanged
 * as the relay publishes it. The event carries the line's whole state after the change,
 * with its user, so the record is a projection of its fields, and `updated_at` is when the
 * change happened. Writers stored this record beside every line event until the sweep and
 * the webhook batches showed the cost: half of their outbox rows, for bytes the relay can
 * make from the other half. A user's change (which shows on all the user's lines, and
 * carries no line) still writes its records as rows (lines/persistence/line-states.ts).
 *
 * The record's `event-id` is name-based on the event's, so a batch the relay sends again
 * carries the same ids (the at-least-once promise in docs/asyncapi.yaml).
 *
 * The fields are copied on the wire, each under its number in LineState, in number order
 * as protobuf-es writes them, by hand because protobuf-es has no field-renumbering copy:
 * decoding the event and encoding the record took 24 µs a record (bench:relay at 61-62 %
 * of a bare producer); the copy gives the same bytes in about 9 µs (70-76 %).
 */
export function derivedLineState(event: OutboxMessage): OutboxMessage | undefined {
  if (event.eventType !== NetworkStatusChangedSchema.typeName) return undefined;
  const reader = new BinaryReader(event.payload);
  const fields: { number: number; wireType: WireType; data: Uint8Array }[] = [];
  let userId = '';
  let networkKey = '';
  let deleted = false;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    // The field's value as encoded (after its tag; a length prefix included).
    const data = reader.skip(wireType, number);
    if (number === USER_ID_FIELD) userId = new BinaryReader(data).string();
    if (number === NETWORK_KEY_FIELD) networkKey = new BinaryReader(data).string();
    if (number === USER_FIELD) deleted = userStatus(new BinaryReader(data).bytes()) === UserStatus.DELETED;
    const recordNumber = RECORD_FIELD.get(number);
    if (recordNumber !== undefined) fields.push({ number: recordNumber, wireType, data });
  }
  const record = {
    eventId: uuidV5(event.eventId, DERIVED_IDS),
    eventType: LineStateSchema.typeName,
    key: `${userId}:${networkKey}`,
    organizationId: event.organizationId,
    traceParent: event.traceParent,
  };
  // A deleted user's line: a tombstone, so the topic forgets it.
  if (deleted) return { ...record, payload: new Uint8Array() };
  // One allocation of the exact size: each field is its one-byte tag, then its value.
  fields.sort((a, b) => a.number - b.number);
  const payload = new Uint8Array(fields.reduce((size, field) => size + 1 + field.data.length, 0));
  let at = 0;
  for (const field of fields) {
    payload[at++] = (field.number << 3) | field.wireType;
    payload.set(field.data, at);
    at += field.data.length;
  }
  return { ...record, payload };
}

/** The status in an encoded User (unset: its zero value). */
function userStatus(user: Uint8Array): UserStatus {
  const reader = new BinaryReader(user);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number === USER_STATUS_FIELD) return reader.int32();
    reader.skip(wireType, number);
  }
  return UserStatus.UNSPECIFIED;
}
