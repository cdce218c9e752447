import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import {
  Indicator as ProtoIndicator,
  Network as ProtoNetwork,
  NetworkStatus as ProtoNetworkStatus,
  NetworkStatusChangedSchema,
  UserSchema,
} from '../../../src/generated/proto/mdn/provisioning/v1/events_pb';
import { INDICATORS } from '../../../src/lines/domain/indicator';
import { NETWORK_KEYS, NETWORKS } from '../../../src/lines/domain/networks';
import {
  NETWORK_STATUS_KEYS,
  statusLabel,
  TRANSITION_SOURCES,
} from '../../../src/lines/domain/network-status';
import { tooltipFor } from '../../../src/lines/domain/tooltip';
import { USER_STATUS_LABELS, type UserStatusKey } from '../../../src/lines/domain/user-status';
import { networkStatusChanged, protoUser, type LineChange } from '../../../src/lines/events/line-events';
import { networkStatusChangedEvents } from '../../../src/lines/events/network-status-changed.encoding';

/** The oracle: the event as the library builds and encodes it (create, then toBinary). */
function libraryBytes(change: LineChange, eventId: string): Uint8Array {
  return toBinary(
    NetworkStatusChangedSchema,
    create(NetworkStatusChangedSchema, {
      eventId,
      occurredAt: timestampFromDate(change.occurredAt),
      userId: change.user.id,
      mdn: change.user.mdn,
      network: ProtoNetwork[change.network.toUpperCase() as keyof typeof ProtoNetwork],
      previousStatus: ProtoNetworkStatus[change.previousStatus],
      status: ProtoNetworkStatus[change.status],
      reason: change.reason ?? '',
      previousIndicator: ProtoIndicator[change.previousIndicator],
      indicator: ProtoIndicator[change.indicator],
      indicatorReason: change.indicatorReason ?? '',
      statusChangedAt: timestampFromDate(change.statusChangedAt),
      lastSeenAt: change.lastSeenAt ? timestampFromDate(change.lastSeenAt) : undefined,
      sequence: BigInt(change.sequence),
      source: change.source,
      organizationId: change.organizationId,
      user: protoUser(change.user),
      networkKey: change.network,
      networkLabel: NETWORKS[change.network].name,
      statusLabel: statusLabel(change.status),
      previousStatusLabel: statusLabel(change.previousStatus),
      tooltip: tooltipFor(change),
    }),
  );
}

// Any instant a Timestamp can hold, before 1970 too; text of any kind, empty included.
const instant = fc.date({
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const text = fc.string({ unit: 'binary', maxLength: 12 });
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null });
const sequence = fc.nat({ max: 2 ** 31 - 1 });

const changes: fc.Arbitrary<LineChange> = fc.record({
  organizationId: fc.uuid(),
  user: fc.record({
    id: fc.uuid(),
    organizationId: fc.uuid(),
    firstName: text,
    lastName: text,
    username: text,
    mdn: text,
    email: text,
    status: fc.constantFrom(...(Object.keys(USER_STATUS_LABELS) as UserStatusKey[])),
    businessPhone: maybe(text),
    company: maybe(text),
    customerCode: maybe(text),
    udid: maybe(text),
    registeredAt: instant,
    serviceLevel: maybe(text),
    messagingAppVersion: maybe(text),
    eventSequence: sequence,
  }),
  network: fc.constantFrom(...NETWORK_KEYS),
  previousStatus: fc.constantFrom(...NETWORK_STATUS_KEYS),
  status: fc.constantFrom(...NETWORK_STATUS_KEYS),
  reason: maybe(text),
  previousIndicator: fc.constantFrom(...INDICATORS),
  indicator: fc.constantFrom(...INDICATORS),
  indicatorReason: maybe(text),
  statusChangedAt: instant,
  lastSeenAt: maybe(instant),
  sequence,
  source: fc.constantFrom(...TRANSITION_SOURCES),
  occurredAt: instant,
});

describe('NetworkStatusChanged, encoded field by field', () => {
  it("is the library's encoding, byte for byte, for any change", () => {
    fc.assert(
      fc.property(changes, (change) => {
        const [event] = networkStatusChangedEvents([change]);
        expect(Buffer.from(event.payload)).toEqual(Buffer.from(libraryBytes(change, event.eventId)));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes a batch as each change alone, with an event id and key of its own', () => {
    fc.assert(
      fc.property(fc.array(changes, { maxLength: 20 }), (batch) => {
        const events = networkStatusChangedEvents(batch);
        expect(events).toHaveLength(batch.length);
        expect(new Set(events.map((event) => event.eventId)).size).toBe(batch.length);
        events.forEach((event, index) => {
          expect(event).toMatchObject({
            eventType: NetworkStatusChangedSchema.typeName,
            key: batch[index].user.id,
            organizationId: batch[index].organizationId,
          });
          expect(Buffer.from(event.payload)).toEqual(Buffer.from(libraryBytes(batch[index], event.eventId)));
        });
      }),
    );
  });

  it('writes every field of the schema: one added to the contract fails here until it is written', () => {
    const full = fc.sample(changes, { seed: 7, numRuns: 1 })[0];
    const change: LineChange = {
      ...full,
      network: 'verizon',
      previousStatus: 'PENDING_PROVISIONING',
      status: 'UNABLE_TO_PROVISION',
      reason: 'Remove Message Block',
      previousIndicator: 'GREEN',
      indicator: 'RED',
      indicatorReason: 'Remove Message Block',
      lastSeenAt: new Date('2026-11-01T10:00:00.123Z'),
      sequence: 4,
      user: {
        ...full.user,
        firstName: 'Ada',
        lastName: 'L',
        username: 'ada',
        mdn: '+12015550123',
        email: 'a@x.io',
        status: 'ACTIVE',
        businessPhone: '+12015550199',
        company: 'Analytical Engines',
        customerCode: 'AE-1',
        udid: 'udid-1',
        serviceLevel: 'Gold',
        messagingAppVersion: '4.2',
        eventSequence: 3,
      },
    };
    const decoded = fromBinary(NetworkStatusChangedSchema, networkStatusChanged(change).payload);
    const unset = (schema: typeof NetworkStatusChangedSchema | typeof UserSchema, message: object) =>
      schema.fields
        .filter((field) => !reflect(schema, message as never).isSet(field))
        .map((field) => field.name);
    expect(unset(NetworkStatusChangedSchema, decoded)).toEqual([]);
    expect(unset(UserSchema, decoded.user!)).toEqual([]);
  });
});
