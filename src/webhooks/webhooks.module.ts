import { Module } from '@nestjs/common';
import { ActivationModule } from '../activation/activation.module';
import { CarriersModule } from '../carriers/carriers.module';
import { OptInModule } from '../opt-in/opt-in.module';
import { WebhookReceiptsRepository } from './webhook-receipts.repository';
import { WebhookReceiptsCleanupJob } from './webhook-receipts-cleanup.job';
import { WebhookVerifier } from './webhook-verifier';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [CarriersModule, OptInModule, ActivationModule],
  controllers: [WebhooksController],
  providers: [WebhookVerifier, WebhookReceiptsRepository, WebhookReceiptsCleanupJob],
})
export class WebhooksModule {}
