import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module';
import type { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import { DomainExceptionFilter } from './common/errors/domain-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import type { Database } from './database/database';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { CarriersModule } from './carriers/carriers.module';
import { ProvisioningFlowModule } from './provisioning-flow/provisioning-flow.module';
import { LinesModule } from './lines/lines.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { OutboxModule } from './outbox/outbox.module';
import { MetricsModule } from './metrics/metrics.module';
import { UserImportModule } from './user-import/user-import.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { ScimModule } from './scim/scim.module';
import { ConsentModule } from './consent/consent.module';
import { TasksModule } from './tasks/tasks.module';
import { UserExportModule } from './user-export/user-export.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: Database, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule.forRoot(clock),
        LoggingModule,
        DatabaseModule.forRoot(database),
        ScheduleModule.forRoot(),
        HealthModule,
        MetricsModule,
        OrganizationsModule,
        AuthModule,
        LinesModule,
        TasksModule,
        UserImportModule,
        UserExportModule,
        CarriersModule,
        ProvisioningFlowModule,
        ConsentModule,
        IdempotencyModule,
        WebhooksModule,
        ScimModule,
        OutboxModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
