import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LinesModule } from '../lines/lines.module';
import { TasksModule } from '../tasks/tasks.module';
import { ImportUsersTask } from './import-task.handler';
import { ImportUsers } from './import-users.usecase';
import { UserImportController } from './user-import.controller';
import { IMPORT_ROUTE_TYPES } from './upload-format';

@Module({
  imports: [LinesModule, TasksModule],
  controllers: [UserImportController],
  providers: [ImportUsers, ImportUsersTask],
})
export class UserImportModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Only the import route reads these types (its policy says so), with its own size limit. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of IMPORT_ROUTE_TYPES) {
      fastify.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    }
  }
}
