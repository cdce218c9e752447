import { Module } from '@nestjs/common';
import { LinesModule } from '../lines/lines.module';
import { TasksModule } from '../tasks/tasks.module';
import { ExportUsersTask } from './export-task.handler';
import { ExportUsers } from './export-users.usecase';
import { UserExportController } from './user-export.controller';

/** The console's Export: the user list as a spreadsheet, in the request or as a task. */
@Module({
  imports: [LinesModule, TasksModule],
  controllers: [UserExportController],
  providers: [ExportUsers, ExportUsersTask],
})
export class UserExportModule {}
