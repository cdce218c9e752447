import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { OutboxConfig } from '../../config/config';
import type { EventPublisher, PublishedEvent } from './event-publisher';
import { ensureTopics, topicSpecs } from './kafka-topics';

type KafkaConfig = NonNullable<OutboxConfig['kafka']>;

/**
 * kafkajs behind EventPublisher: an idempotent producer, acks from all in-sync replicas,
 * at most 5 requests in flight, no Kafka transactions. kafkajs can stay broken after a
 * broker restart (out-of-order sequence errors), so after any failed send the producer
 * is dropped and the next send makes a new one.
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly logger = new Logger(KafkaEventPublisher.name);
  private readonly kafka: Kafka;
  private producer?: Promise<Producer>;
  private topicsReady?: Promise<void>;

  constructor(private readonly config: KafkaConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logLevel.NOTHING,
    });
  }

  async publish(events: PublishedEvent[]): Promise<void> {
    try {
      await this.ensureTopic();
      const producer = await this.connectedProducer();
      const topics = { changes: this.config.topic, state: this.config.stateTopic };
      // One request for both topics; each topic's messages keep the outbox's order.
      await producer.sendBatch({
        acks: -1,
        topicMessages: (['changes', 'state'] as const)
          .map((topic) => ({
            topic: topics[topic],
            messages: events
              .filter((event) => event.topic === topic)
              .map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
          }))
          .filter((batch) => batch.messages.length > 0),
      });
    } catch (error) {
      this.discardProducer();
      throw error;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await (await producer?.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }

  private discardProducer(): void {
    const producer = this.producer;
    this.producer = undefined;
    void producer?.then((stale) => stale.disconnect()).catch(() => undefined);
    this.logger.warn('Kafka send failed: the producer will be recreated');
  }

  /** At start-up: the topics made or checked now, so a difference is logged at once. */
  async prepare(): Promise<void> {
    await this.ensureTopic();
  }

  /**
   * Creates the topics when they are missing, with their settings, and warns when an
   * existing one has other settings (production topics are usually made by ops).
   */
  private ensureTopic(): Promise<void> {
    // One check at a time (start-up and the first publish may both ask); a failed one is tried again.
    this.topicsReady ??= this.makeTopics().catch((error: unknown) => {
      this.topicsReady = undefined;
      throw error;
    });
    return this.topicsReady;
  }

  private async makeTopics(): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const problem of await ensureTopics(admin, topicSpecs(this.config))) this.logger.warn(problem);
    } finally {
      await admin.disconnect();
    }
  }
}
