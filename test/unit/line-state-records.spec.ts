import fc from 'fast-check';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { toKafkaMessage, toKafkaMessages } from '../../src/outbox/event-encoding';
import { networkStatusChanged, userEvent, type LineChange } from '../../src/lines/events/line-events';
import { lineState } from '../../src/lines/persistence/line-states';
import { INDICATORS } from '../../src/lines/domain/indicator';
import { NETWORK_KEYS } from '../../src/lines/domain/networks';
import { NETWORK_STATUSES, NETWORK_STATUS_KEYS } from '../../src/lines/domain/network-status';
import { USER_STATUS_LABELS, type UserStatusKey } from '../../src/lines/domain/user-status';
import { TRANSITION_SOURCES } from '../../src/lines/domain/network-status';
import { LineStateSchema } from '../../src/generated/proto/mdn/provisioning/v1/events_pb';

/*
 * A line's state record is no longer stored beside its event: the relay derives it from
 * the NetworkStatusChanged as it publishes. The contract is that the state topic gets
 * exactly what the writers used to store, so each derived record is compared with the
 * record lineState() builds from the same line, as the writers built it before.
 */

const date = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2030-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const optionalText = fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: null });

const changes: fc.Arbitrary<LineChange> = fc
  .record({
    userId: fc.uuid(),
    organizationId: fc.uuid(),
    userStatus: fc.constantFrom(...(Object.keys(USER_STATUS_LABELS) as UserStatusKey[])),
    names: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
    optional: fc.tuple(optionalText, optionalText, optionalText, optionalText, optionalText, optionalText),
    registeredAt: date,
    userSequence: fc.integer({ min: 1, max: 1_000_000 }),
    network: fc.constantFrom(...NETWORK_KEYS),
    previousStatus: fc.constantFrom(...NETWORK_STATUS_KEYS),
    status: fc.constantFrom(...NETWORK_STATUS_KEYS),
    reason: optionalText,
    previousIndicator: fc.constantFrom(...INDICATORS),
    indicator: fc.constantFrom(...INDICATORS),
    statusChangedAt: date,
    lastSeenAt: fc.option(date, { nil: null }),
    sequence: fc.integer({ min: 1, max: 1_000_000 }),
    source: fc.constantFrom(...TRANSITION_SOURCES),
    occurredAt: date,
  })
  .map((c) => ({
    organizationId: c.organizationId,
    user: {
      id: c.userId,
      organizationId: c.organizationId,
      firstName: c.names[0],
      lastName: c.names[1],
      username: c.names[2],
      mdn: '+12015550123',
      email: 'a@x.io',
      status: c.userStatus,
      businessPhone: c.optional[0],
      company: c.optional[1],
      customerCode: c.optional[2],
      udid: c.optional[3],
      serviceLevel: c.optional[4],
      messagingAppVersion: c.optional[5],
      registeredAt: c.registeredAt,
      eventSequence: c.userSequence,
    },
    network: c.network,
    previousStatus: c.previousStatus,
    status: c.status,
    reason: c.reason,
    previousIndicator: c.previousIndicator,
    indicator: c.indicator,
    // As the writers pass it: the indicator rule's reason, which is set for RED only.
    indicatorReason: c.indicator === 'RED' ? (c.reason ?? NETWORK_STATUSES[c.status].redReason) : null,
    statusChangedAt: c.statusChangedAt,
    lastSeenAt: c.lastSeenAt,
    sequence: c.sequence,
    source: c.source,
    occurredAt: c.occurredAt,
  }));

/** The record a writer stored for the line after `change`, before records were derived. */
function storedRecord(change: LineChange) {
  return lineState(
    {
      userId: change.user.id,
      organizationId: change.organizationId,
      network: change.network,
      status: change.status,
      reason: change.reason,
      indicator: change.indicator,
      statusChangedAt: change.statusChangedAt,
      lastSeenAt: change.lastSeenAt,
      sequence: change.sequence,
      user: { ...change.user, registeredAt: change.user.registeredAt.toISOString() },
    },
    change.occurredAt,
  );
}

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('line state records, derived from line events by the relay', () => {
  it('equal, field for field, the record a writer stored for the same line', () => {
    fc.assert(
      fc.property(changes, (change) => {
        const event = { ...networkStatusChanged(change), traceParent: TRACE };
        const [published, derived, ...rest] = toKafkaMessages(event, 'protobuf');
        expect(rest).toHaveLength(0);
        expect(published).toEqual(toKafkaMessage(event, 'protobuf'));
        const stored = toKafkaMessage({ ...storedRecord(change), traceParent: TRACE }, 'protobuf');
        expect(derived.topic).toBe('state');
        expect(derived.key).toBe(stored.key);
        const { 'event-id': derivedId, ...headers } = derived.headers;
        const { 'event-id': storedId, ...storedHeaders } = stored.headers;
        expect(headers).toEqual(storedHeaders);
        expect(derivedId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(storedId).toBeDefined();
        if (stored.value === null) {
          // A deleted user's line: a tombstone either way.
          expect(derived.value).toBeNull();
        } else {
          expect(fromBinary(LineStateSchema, derived.value!)).toEqual(
            fromBinary(LineStateSchema, stored.value),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keep their event-id when the relay sends a batch again (at least once), and it is not the event's", () => {
    fc.assert(
      fc.property(changes, (change) => {
        const event = networkStatusChanged(change);
        const first = toKafkaMessages(event, 'protobuf')[1].headers['event-id'];
        expect(toKafkaMessages(event, 'protobuf')[1].headers['event-id']).toBe(first);
        expect(first).not.toBe(event.eventId);
        const other = networkStatusChanged(change);
        expect(toKafkaMessages(other, 'protobuf')[1].headers['event-id']).not.toBe(first);
      }),
      { numRuns: 50 },
    );
  });

  it('are canonical JSON when the relay publishes JSON', () => {
    fc.assert(
      fc.property(
        changes.filter((change) => change.user.status !== 'DELETED'),
        (change) => {
          const [, derived] = toKafkaMessages(networkStatusChanged(change), 'json');
          const stored = storedRecord(change);
          expect(derived.headers['content-type']).toBe('application/json');
          expect(JSON.parse(derived.value!.toString())).toEqual(
            toJson(LineStateSchema, fromBinary(LineStateSchema, stored.payload)),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('come only from line events: a user event and a stored record go out alone', () => {
    fc.assert(
      fc.property(changes, (change) => {
        expect(
          toKafkaMessages(userEvent('updated', change.user, change.occurredAt), 'protobuf'),
        ).toHaveLength(1);
        const [record] = toKafkaMessages(storedRecord(change), 'protobuf');
        expect(toKafkaMessages(storedRecord(change), 'protobuf')).toHaveLength(1);
        expect(record.topic).toBe('state');
      }),
      { numRuns: 50 },
    );
  });
});
