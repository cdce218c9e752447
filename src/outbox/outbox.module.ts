import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { EVENT_PUBLISHER } from './relay/event-publisher';
import { EventsController } from './feed/events.controller';
import { KafkaEventPublisher } from './relay/kafka-event-publisher';
import { OutboxRelay } from './relay/outbox-relay';
import { OutboxHealth } from './outbox.health';
import { OutboxRepository } from './persistence/outbox.repository';

@Module({
  imports: [TerminusModule],
  controllers: [EventsController],
  providers: [
    OutboxRepository,
    OutboxRelay,
    OutboxHealth,
    {
      provide: EVENT_PUBLISHER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.events.kafka ? new KafkaEventPublisher(config.events.kafka) : null,
    },
  ],
  exports: [OutboxRelay, OutboxRepository],
})
export class OutboxModule {}
