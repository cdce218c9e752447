import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LinesModule } from '../lines/lines.module';
import { CarrierClients } from './carrier-clients';
import { NotCommunicatingJob, RetryCarrierRequestsJob } from './carrier-jobs';
import { ApplyCarrierCallback } from './usecases/apply-carrier-callback.usecase';
import { RequestCarrierProvisioning } from './usecases/request-carrier-provisioning.usecase';

@Module({
  imports: [TerminusModule, LinesModule],
  providers: [
    CarrierClients,
    RequestCarrierProvisioning,
    ApplyCarrierCallback,
    RetryCarrierRequestsJob,
    NotCommunicatingJob,
  ],
  exports: [
    CarrierClients,
    RequestCarrierProvisioning,
    ApplyCarrierCallback,
    RetryCarrierRequestsJob,
    NotCommunicatingJob,
  ],
})
export class CarriersModule {}
