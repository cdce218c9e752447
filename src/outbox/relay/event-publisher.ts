/** One message for the event stream. */
export interface PublishedEvent {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Where the outbox relay sends events. Kept this small so another Kafka client can
 * replace kafkajs (unmaintained since 2023) without touching the relay.
 */
export interface EventPublisher {
  publish(events: PublishedEvent[]): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
