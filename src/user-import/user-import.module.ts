import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LinesModule } from '../lines/lines.module';
import { ImportUsers } from './import-users.usecase';
import { UserImportController } from './user-import.controller';
import { XLSX_MIME } from './users-workbook';

@Module({
  imports: [LinesModule],
  controllers: [UserImportController],
  providers: [ImportUsers],
})
export class UserImportModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Only the import route reads this type (its policy says so), with its own size limit. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(XLSX_MIME, { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
  }
}
