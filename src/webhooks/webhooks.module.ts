import { Module } from '@nestjs/common';
import { ActivationModule } from '../activation/activation.module';
import { CarriersModule } from '../carriers/carriers.module';
import { OptInModule } from '../opt-in/opt-in.module';
import { WebhookReceipts } from './webhook-receipts';
import { WebhookReceiptsCleanupJob } from './webhook-receipts-cleanup.job';
import { WebhookVerifier } from './webhook-verifier';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [CarriersModule, OptInModule, ActivationModule],
  controllers: [WebhooksController],
  providers: [WebhookVerifier, WebhookReceipts, WebhookReceiptsCleanupJob],
})
export class WebhooksModule {}
