import { finished } from 'node:stream/promises';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TaskOutcome } from '../tasks/domain/task';
import { TaskFileSink } from '../tasks/task-file-sink';
import { TaskHandlers, type TaskContext, type TaskHandler } from '../tasks/task-handlers';
import { ConsentExporter, EXPORT_CONTENT_TYPES, type ExportFormat } from './consent-export';

/** What an export task was asked: the format and the filter, times as ISO strings. */
export interface ConsentExportParams {
  format: ExportFormat;
  filter: { userId?: string; from?: string; to?: string };
}

/**
 * A ledger export too big for one request: the same writer as the HTTP answer, into the
 * task's result file. Run again after a crash, it starts over (the first run's chunks
 * are replaced), so the result is always one whole file.
 */
@Injectable()
export class ExportConsentTask implements TaskHandler, OnModuleInit {
  readonly kind = 'export_consent' as const;

  constructor(
    private readonly handlers: TaskHandlers,
    private readonly exporter: ConsentExporter,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(context: TaskContext): Promise<TaskOutcome> {
    const { format, filter } = context.task.params as unknown as ConsentExportParams;
    await context.deleteFile('result');
    const sink = new TaskFileSink(context, 'result');
    const entries = await this.exporter.run(
      {
        userId: filter.userId,
        from: filter.from ? new Date(filter.from) : undefined,
        to: filter.to ? new Date(filter.to) : undefined,
      },
      format,
      sink,
    );
    await finished(sink);
    await context.progress({ rowsRead: entries, rowsChecked: entries, rowsDone: entries });
    const fileName = `consent-ledger-${context.task.id}.${format}`;
    return {
      state: 'SUCCEEDED',
      result: {
        rows: entries,
        resultFile: { contentType: EXPORT_CONTENT_TYPES[format], fileName, bytes: sink.bytes },
      },
    };
  }

  interrupted(context: TaskContext): Promise<TaskOutcome> {
    return Promise.resolve({
      state: 'FAILED',
      error: `the export stopped ${context.task.attempts - 1} times before it finished (its runner died); ask for it again`,
    });
  }
}
