import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { ReadinessChecks } from './readiness-checks';

@Global()
@Module({
  // Terminus would log every failed probe (every few seconds through an outage, with the
  // failing details); the checks log what changed instead.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, ReadinessChecks],
  exports: [ReadinessChecks],
})
export class HealthModule {}
