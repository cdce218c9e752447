import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TaskOutcome } from '../tasks/domain/task';
import { TaskHandlers, type TaskContext, type TaskHandler } from '../tasks/task-handlers';
import { TaskFileSink } from '../tasks/task-file-sink';
import { ExportUsers, type ExportFilter } from './export-users.usecase';
import { EXPORT_TYPES, type ExportFormat } from './export-writers';

/** How often a running export's progress is written (the Task Center polls about this often). */
const PROGRESS_EVERY_MS = 500;

export interface ExportParams {
  format: ExportFormat;
  filter: ExportFilter;
}

/**
 * An export too big for one request: the file is written into the task's result, chunk
 * by chunk as it is made. Run again after a crash, it starts over (the chunks of the
 * first run are replaced), so the result is always one whole file.
 */
@Injectable()
export class ExportUsersTask implements TaskHandler, OnModuleInit {
  readonly kind = 'export_users' as const;

  constructor(
    private readonly handlers: TaskHandlers,
    private readonly exportUsers: ExportUsers,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(context: TaskContext): Promise<TaskOutcome> {
    const { format, filter } = context.task.params as unknown as ExportParams;
    await context.deleteFile('result');
    let rows = 0;
    let reportedAt = 0;
    const report = () => context.progress({ rowsRead: rows, rowsChecked: rows, rowsDone: rows });
    const file = this.exportUsers.file(format, filter, async (count) => {
      rows = count;
      // A write per page (500 for 1,000,000 users) held up the pages behind it.
      if (Date.now() - reportedAt < PROGRESS_EVERY_MS) return;
      reportedAt = Date.now();
      await report();
    });
    const sink = new TaskFileSink(context, 'result');
    await pipeline(Readable.from(file), sink);
    await report();
    const bytes = sink.bytes;
    const fileName = `users-export-${context.task.id}.${format}`;
    return {
      state: 'SUCCEEDED',
      result: { rows, resultFile: { contentType: EXPORT_TYPES[format], fileName, bytes } },
    };
  }

  interrupted(context: TaskContext): Promise<TaskOutcome> {
    return Promise.resolve({
      state: 'FAILED',
      error: `the export stopped ${context.task.attempts - 1} times before it finished (its runner died); ask for it again`,
    });
  }
}
