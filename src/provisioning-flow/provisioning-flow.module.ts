import { Module } from '@nestjs/common';
import { CarriersModule } from '../carriers/carriers.module';
import { ConsentModule } from '../consent/consent.module';
import { ConsentTexts } from './consent-texts';
import { HandleDeliveryReceipt } from './usecases/handle-delivery-receipt.usecase';
import { StartRoundAfterRevocation } from './usecases/start-round-after-revocation.usecase';
import { LinesModule } from '../lines/lines.module';
import { FlowSteps } from './flow-steps';
import { FlowRepository } from './flow.repository';
import { ProvisioningController } from './http/provisioning.controller';
import { Reconciler } from './reconciler';
import { ApplyCarrierCallback } from './usecases/apply-carrier-callback.usecase';
import { HandleOptInReply } from './usecases/handle-opt-in-reply.usecase';
import { HandlePortOut } from './usecases/handle-port-out.usecase';
import { RecordProvisioningIntent } from './usecases/record-provisioning-intent.usecase';
import { StartOptInRound } from './usecases/start-opt-in-round.usecase';

/**
 * Provisioning as an act: requests record intents, the reconciler carries them out
 * (lookup, opt-in texts, carrier requests, timeouts), callbacks and replies answer them.
 */
@Module({
  imports: [LinesModule, CarriersModule, ConsentModule],
  controllers: [ProvisioningController],
  providers: [
    FlowRepository,
    FlowSteps,
    Reconciler,
    RecordProvisioningIntent,
    StartOptInRound,
    ApplyCarrierCallback,
    HandleOptInReply,
    HandlePortOut,
    ConsentTexts,
    HandleDeliveryReceipt,
    StartRoundAfterRevocation,
  ],
  exports: [
    RecordProvisioningIntent,
    ApplyCarrierCallback,
    HandleOptInReply,
    HandleDeliveryReceipt,
    HandlePortOut,
    Reconciler,
  ],
})
export class ProvisioningFlowModule {}
