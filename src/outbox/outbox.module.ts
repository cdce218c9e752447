import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { configSliceToken } from '../config/config.module';
import type { OutboxConfig } from '../config/config';
import { EVENT_PUBLISHER } from './relay/event-publisher';
import { EventsController } from './feed/events.controller';
import { KafkaEventPublisher } from './relay/kafka-event-publisher';
import { OutboxRelay } from './relay/outbox-relay';
import { OutboxHealth } from './outbox.health';
import { OutboxRepository } from './persistence/outbox.repository';

/**
 * The transactional outbox: the writer other modules append events with (outbox.writer.ts),
 * the relay to Kafka, the GET /v1/events feed, retention and readiness. It knows events
 * only as OutboxMessage: which change makes which event is its writers' business.
 */
@Module({
  imports: [TerminusModule],
  controllers: [EventsController],
  providers: [
    OutboxRepository,
    OutboxRelay,
    OutboxHealth,
    {
      provide: EVENT_PUBLISHER,
      inject: [configSliceToken('outbox')],
      useFactory: (config: OutboxConfig) => (config.kafka ? new KafkaEventPublisher(config.kafka) : null),
    },
  ],
})
export class OutboxModule {}
