import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { ImportUsers } from './import-users.usecase';
import { UserImportController } from './user-import.controller';
import { XLSX_MIME } from './users-workbook';

/** Import files are bigger than the 64 KiB every other body is held to. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

@Module({
  imports: [ProvisioningModule],
  controllers: [UserImportController],
  providers: [ImportUsers],
})
export class UserImportModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(
      XLSX_MIME,
      { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
      (_request, body, done) => done(null, body),
    );
  }
}
