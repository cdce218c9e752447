/** One message for the event stream. */
export interface PublishedEvent {
  /** The change topic (every event) or the compacted current-state topic (LineState records). */
  topic: 'changes' | 'state';
  key: string;
  /** Null: a tombstone (the state topic forgets the key). */
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Where the outbox relay sends events. Kept this small so another Kafka client can
 * replace kafkajs (unmaintained since 2023) without touching the relay.
 */
export interface EventPublisher {
  publish(events: PublishedEvent[]): Promise<void>;
  /** Makes or checks the topics at start-up (a difference is logged, not refused). */
  prepare?(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
