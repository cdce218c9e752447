/**
 * One event as the outbox stores it: an encoded protobuf message. The outbox knows no
 * more than this; which event a change produces is decided by the module that changes
 * things (e.g. lines/events).
 */
export interface OutboxMessage {
  eventId: string;
  /** Full name of the protobuf message, e.g. mdn.provisioning.v1.NetworkStatusChanged. */
  eventType: string;
  /** Kafka key: the user id, so one user's events keep their order. */
  key: string;
  /** Whose event it is: the feed shows each organisation its own; Kafka gets it as a header. */
  organizationId: string;
  payload: Uint8Array;
  /**
   * The trace the event belongs to, when it is not the writer's own: a batch applies many
   * webhook deliveries at once, each event in the trace of its delivery.
   */
  traceParent?: string | null;
}
