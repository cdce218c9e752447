import { Module } from '@nestjs/common';
import { ProvisioningFlowModule } from '../provisioning-flow/provisioning-flow.module';
import { WebhookReceiptsRepository } from './webhook-receipts.repository';
import { WebhookReceiptsCleanupJob } from './webhook-receipts-cleanup.job';
import { WebhookVerifier } from './webhook-verifier';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [ProvisioningFlowModule],
  controllers: [WebhooksController],
  providers: [WebhookVerifier, WebhookReceiptsRepository, WebhookReceiptsCleanupJob],
})
export class WebhooksModule {}
