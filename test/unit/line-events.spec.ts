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

const user = {
  id: '01936b2e-1234-7890-8123-456789012345',
  organizationId: '00000000-0000-4000-8000-000000000001',
  firstName: 'Ada',
  lastName: 'L',
  username: 'ada',
  mdn: '+12015550123',
  email: 'a@x.io',
  status: 'ACTIVE' as const,
  businessPhone: '+12015550199',
  company: 'Analytical Engines',
  customerCode: 'AE-1',
  udid: 'udid-1',
  serviceLevel: 'Gold',
  messagingAppVersion: null,
  registeredAt: new Date('2026-11-01T09:00:00.000Z'),
  eventSequence: 3,
};

const change = {
  organizationId: user.organizationId,
  user,
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
    expect(message.key).toBe(user.id);
    const decoded = fromBinary(NetworkStatusChangedSchema, message.payload);
    expect(decoded).toMatchObject({
      eventId: message.eventId,
      userId: user.id,
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
    // The console's words beside the machine's names, and the user as stored.
    expect(decoded).toMatchObject({
      networkKey: 'verizon',
      networkLabel: 'Verizon',
      statusLabel: 'Unable to Provision',
      previousStatusLabel: 'Pending provisioning',
      tooltip: 'Verizon: Unable to Provision (Remove Message Block) · since 2026-11-20 · never seen',
    });
    expect(decoded.user).toMatchObject({
      userId: user.id,
      company: 'Analytical Engines',
      businessPhone: '+12015550199',
      customerCode: 'AE-1',
      udid: 'udid-1',
      status: 1,
      statusLabel: 'Active',
      sequence: 3n,
    });
    expect(decoded.user?.registeredAt?.seconds).toBe(BigInt(Date.parse('2026-11-01T09:00:00Z') / 1000));
    // The console's optional columns: set when kept, absent (not empty) when not.
    expect(decoded.user?.serviceLevel).toBe('Gold');
    expect(decoded.user?.messagingAppVersion).toBeUndefined();
    expect(decoded.statusChangedAt?.seconds).toBe(BigInt(Date.parse('2026-11-20T10:00:00Z') / 1000));
  });

  it('the Kafka message: key, headers, and protobuf or JSON value', () => {
    const message = networkStatusChanged(change);
    const protobuf = toKafkaMessage(message, 'protobuf');
    expect(protobuf.key).toBe(user.id);
    expect(protobuf.headers).toMatchObject({
      // The feed's `type`, word for word.
      'event-type': 'mdn.provisioning.v1.NetworkStatusChanged',
      schema: 'mdn.provisioning.v1.NetworkStatusChanged',
      'event-id': message.eventId,
    });
    expect(fromBinary(NetworkStatusChangedSchema, protobuf.value!).sequence).toBe(7n);
    const json = JSON.parse(toKafkaMessage(message, 'json').value!.toString());
    expect(json).toEqual(toEventJson(message));
    expect(json).toMatchObject({
      network: 'NETWORK_VERIZON',
      status: 'NETWORK_STATUS_UNABLE_TO_PROVISION',
      sequence: '7',
    });
  });

  it('user lifecycle events name the kind of change', () => {
    const deleted = userEvent('deleted', { ...user, status: 'DELETED', eventSequence: 4 }, change.occurredAt);
    expect(deleted.eventType).toBe('mdn.provisioning.v1.UserDeleted');
    const decoded = fromBinary(UserDeletedSchema, deleted.payload);
    expect(decoded.user).toMatchObject({
      username: 'ada',
      status: 3,
      statusLabel: 'Deleted',
      company: 'Analytical Engines',
    });
    expect(decoded.sequence).toBe(4n);
  });
});
