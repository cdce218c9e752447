import { Module } from '@nestjs/common';
import { CarriersModule } from '../carriers/carriers.module';
import { LinesModule } from '../lines/lines.module';
import { HandleOptInReply } from './handle-opt-in-reply.usecase';
import { OptInResendJob } from './opt-in-resend.job';
import { VerizonOptInService } from './verizon-opt-in.service';

@Module({
  imports: [LinesModule, CarriersModule],
  providers: [VerizonOptInService, HandleOptInReply, OptInResendJob],
  exports: [VerizonOptInService, HandleOptInReply, OptInResendJob],
})
export class OptInModule {}
