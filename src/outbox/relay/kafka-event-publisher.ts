import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { OutboxConfig } from '../../config/config';
import type { EventPublisher, PublishedEvent } from './event-publisher';

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
  private topicReady = false;

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
      await producer.send({
        topic: this.config.topic,
        acks: -1,
        messages: events.map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
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

  /** Creates the topic when it is missing (production topics are usually made by ops). */
  private async ensureTopic(): Promise<void> {
    if (this.topicReady) return;
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.config.topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            { topic: this.config.topic, numPartitions: this.config.partitions, replicationFactor: -1 },
          ],
        });
      }
      this.topicReady = true;
    } finally {
      await admin.disconnect();
    }
  }
}
