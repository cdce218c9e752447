import { fromBinary } from '@bufbuild/protobuf';
import { toEventJson, toKafkaMessage } from '../../src/outbox/event-encoding';
import { networkStatusChanged, userEvent } from '../../src/lines/events/line-events';
import {
  Indicator,
  Network,
  NetworkStatus,
  NetworkStatusChangedSchema,
  UserDeletedSchema,
} from '../../src/generated/proto/mdn/provisioning/v1/events_pb';

const change = {
  organizationId: '00000000-0000-4000-8000-000000000001',
  userId: '01936b2e-1234-7890-8123-456789012345',
  mdn: '+12015550123',
  network: 'verizon' as const,
  previousStatus: 'PENDING_PROVISIONING' as const,
  status: 'UNABLE_TO_PROVISION' as const,
  reason: 'Remove Message Block',
  previousIndicator: 'RED' as const,
  indicator: 'RED' as const,
  indicatorReason: 'Remove Message Block',
  statusChangedAt: new Date('2026-11-20T10:00:00.000Z'),
  lastSeenAt: null,
  sequence: 7,
  source: 'CARRIER_CALLBACK' as const,
  occurredAt: new Date('2026-11-20T10:00:00.000Z'),
};

describe('event messages', () => {
  it('NetworkStatusChanged carries every field of the contract, in protobuf', () => {
    const message = networkStatusChanged(change);
    expect(message.eventType).toBe('mdn.provisioning.v1.NetworkStatusChanged');
    expect(message.key).toBe(change.userId);
    const decoded = fromBinary(NetworkStatusChangedSchema, message.payload);
    expect(decoded).toMatchObject({
      eventId: message.eventId,
      userId: change.userId,
      mdn: '+12015550123',
      network: Network.VERIZON,
      previousStatus: NetworkStatus.PENDING_PROVISIONING,
      status: NetworkStatus.UNABLE_TO_PROVISION,
      reason: 'Remove Message Block',
      previousIndicator: Indicator.RED,
      indicator: Indicator.RED,
      indicatorReason: 'Remove Message Block',
      sequence: 7n,
      source: 'CARRIER_CALLBACK',
    });
    expect(decoded.lastSeenAt).toBeUndefined();
    expect(decoded.statusChangedAt?.seconds).toBe(BigInt(Date.parse('2026-11-20T10:00:00Z') / 1000));
  });

  it('the Kafka message: key, headers, and protobuf or JSON value', () => {
    const message = networkStatusChanged(change);
    const protobuf = toKafkaMessage(message, 'protobuf');
    expect(protobuf.key).toBe(change.userId);
    expect(protobuf.headers).toMatchObject({
      'event-type': 'NetworkStatusChanged',
      schema: 'mdn.provisioning.v1.NetworkStatusChanged',
      'event-id': message.eventId,
    });
    expect(fromBinary(NetworkStatusChangedSchema, protobuf.value).sequence).toBe(7n);
    const json = JSON.parse(toKafkaMessage(message, 'json').value.toString());
    expect(json).toEqual(toEventJson(message));
    expect(json).toMatchObject({
      network: 'NETWORK_VERIZON',
      status: 'NETWORK_STATUS_UNABLE_TO_PROVISION',
      sequence: '7',
    });
  });

  it('user lifecycle events name the kind of change', () => {
    const user = {
      id: change.userId,
      organizationId: change.organizationId,
      firstName: 'Ada',
      lastName: 'L',
      username: 'ada',
      mdn: change.mdn,
      email: 'a@x.io',
      status: 'DELETED' as const,
    };
    const deleted = userEvent('deleted', user, change.occurredAt);
    expect(deleted.eventType).toBe('mdn.provisioning.v1.UserDeleted');
    expect(fromBinary(UserDeletedSchema, deleted.payload).user).toMatchObject({ username: 'ada', status: 3 });
  });
});
