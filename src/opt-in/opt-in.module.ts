import { Module } from '@nestjs/common';
import { CarriersModule } from '../carriers/carriers.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { HandleOptInReply } from './handle-opt-in-reply.usecase';
import { OptInResendJob } from './opt-in-resend.job';
import { VerizonOptInService } from './verizon-opt-in.service';

@Module({
  imports: [ProvisioningModule, CarriersModule],
  providers: [VerizonOptInService, HandleOptInReply, OptInResendJob],
  exports: [VerizonOptInService, HandleOptInReply, OptInResendJob],
})
export class OptInModule {}
