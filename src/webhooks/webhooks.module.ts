import { Module } from '@nestjs/common';
import { ProvisioningFlowModule } from '../provisioning-flow/provisioning-flow.module';
import { ApplyDelivery } from './inbox/apply-delivery';
import { InboxBacklog } from './inbox/inbox-backlog';
import { WebhookInboxJob } from './inbox/webhook-inbox.job';
import { WebhookInboxRepository } from './inbox/webhook-inbox.repository';
import { WebhookReceiptsCleanupJob } from './webhook-receipts-cleanup.job';
import { WebhookVerifier } from './webhook-verifier';
import { WebhooksController } from './webhooks.controller';

/** Signed webhooks in: verified and stored by the request, applied by the inbox worker. */
@Module({
  imports: [ProvisioningFlowModule],
  controllers: [WebhooksController],
  providers: [
    WebhookVerifier,
    WebhookInboxRepository,
    InboxBacklog,
    ApplyDelivery,
    WebhookInboxJob,
    WebhookReceiptsCleanupJob,
  ],
  exports: [WebhookInboxJob],
})
export class WebhooksModule {}
