import { Module } from '@nestjs/common';
import { TaskHandlers } from './task-handlers';
import { TaskRunner } from './task-runner.job';
import { TasksCleanupJob } from './tasks-cleanup.job';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { Tasks } from './tasks.service';

/** The Task Center: background work (imports, exports) that any replica runs, and its files. */
@Module({
  controllers: [TasksController],
  providers: [TasksRepository, TaskHandlers, TaskRunner, TasksCleanupJob, Tasks],
  exports: [Tasks, TaskHandlers],
})
export class TasksModule {}
