import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CarrierClients } from './carrier-clients';

/** The outside parties (carriers, the SMS gateway, the number lookup) behind resilient HTTP. */
@Module({
  imports: [TerminusModule],
  providers: [CarrierClients],
  exports: [CarrierClients],
})
export class CarriersModule {}
