import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import type { TaskOutcome } from '../tasks/domain/task';
import { TaskHandlers, type TaskContext, type TaskHandler } from '../tasks/task-handlers';
import { parseCsv } from './csv-sheet';
import { parseImportSheet, type ParsedSheet, type SheetCell } from './import-sheet';
import { ImportUsers, type CheckedRow } from './import-users.usecase';
import type { ImportFormat } from './upload-format';
import { errorsWorkbook, readFirstSheet } from './users-workbook';
import { IMPORT_WORKBOOK_LIMITS } from './workbook-limits';

/** Users per import file. */
export const MAX_IMPORT_ROWS = 100_000;

/** Rows' errors listed in the task's result (all of them are in the errors file). */
const ERRORS_IN_RESULT = 100;

export interface ImportParams {
  format: ImportFormat;
  dryRun: boolean;
  fileName?: string;
}

/**
 * An import file's task: read the sheet, check every row, then register them all in one
 * transaction, or none. Each user carries the task's key, so a runner that takes over a
 * task whose first runner died after the commit finds the users and does not import
 * twice; a commit that never happened left nothing, and the import runs again.
 */
@Injectable()
export class ImportUsersTask implements TaskHandler, OnModuleInit {
  readonly kind = 'import_users' as const;
  private readonly logger = new Logger(ImportUsersTask.name);

  constructor(
    private readonly handlers: TaskHandlers,
    private readonly importUsers: ImportUsers,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(context: TaskContext): Promise<TaskOutcome> {
    const params = context.task.params as unknown as ImportParams;
    const key = taskKey(context);
    if (!params.dryRun) {
      const already = await this.importUsers.imported(key);
      if (already > 0) return imported(already, context.task.attempts);
    }
    let sheet: ParsedSheet;
    try {
      // The cells are dropped once parsed: only the rows stay in memory.
      sheet = parseImportSheet(await readUpload(context, params.format), MAX_IMPORT_ROWS);
    } catch (error) {
      if (error instanceof ValidationFailedError) return { state: 'FAILED', error: problemsOf(error) };
      if (error instanceof DomainError) return { state: 'FAILED', error: error.message };
      throw error;
    }
    if (!sheet.ok) return { state: 'FAILED', error: sheet.problems.join('; ') };
    const rows = sheet.rows.length;
    await context.progress({ rowsRead: rows });
    const checked = await this.importUsers.check(sheet.rows, (done) =>
      this.report(context, { rowsChecked: done }),
    );
    await context.progress({ rowsChecked: rows });
    const bad = checked.filter((row) => row.errors.length > 0);
    if (bad.length > 0) {
      await context.writeFile('errors', await errorsWorkbook(sheet.fields, checked));
      return {
        state: 'FAILED',
        error: `${bad.length} of ${rows} rows have errors; no user was imported`,
        result: { rows, rejectedRows: bad.length, errorsFile: true, rowErrors: rowErrors(bad) },
      };
    }
    if (params.dryRun) return { state: 'SUCCEEDED', result: { dryRun: true, rows, valid: rows } };
    const done = await this.importUsers.execute(checked, key, (count) =>
      this.report(context, { rowsDone: count }),
    );
    await context.progress({ rowsDone: done });
    return { state: 'SUCCEEDED', result: { rows, imported: done } };
  }

  /** Run and died too often: whatever committed stands, else nothing was imported. */
  async interrupted(context: TaskContext): Promise<TaskOutcome> {
    const params = context.task.params as unknown as ImportParams;
    const already = params.dryRun ? 0 : await this.importUsers.imported(taskKey(context));
    if (already > 0) return imported(already, context.task.attempts);
    return {
      state: 'FAILED',
      error: `the import stopped ${context.task.attempts - 1} times before it finished (its runner died); no user was imported`,
    };
  }

  /** Progress while a transaction works: written beside it, never awaited by it. */
  private report(context: TaskContext, progress: { rowsChecked?: number; rowsDone?: number }): void {
    void context
      .progress(progress)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Progress not saved'));
  }
}

function taskKey(context: TaskContext): string {
  return `task:${context.task.id}`;
}

function imported(count: number, attempts: number): TaskOutcome {
  return {
    state: 'SUCCEEDED',
    result: { rows: count, imported: count, ...(attempts > 1 ? { attempts } : {}) },
  };
}

async function readUpload(context: TaskContext, format: ImportFormat): Promise<SheetCell[][]> {
  const chunks: Buffer[] = [];
  for await (const chunk of context.readFile('upload')) chunks.push(chunk);
  const file = Buffer.concat(chunks);
  return format === 'xlsx' ? readFirstSheet(file, IMPORT_WORKBOOK_LIMITS) : parseCsv(file.toString('utf8'));
}

function rowErrors(bad: CheckedRow[]) {
  return bad.slice(0, ERRORS_IN_RESULT).map((row) => ({ row: row.rowNumber, errors: row.errors }));
}

function problemsOf(error: ValidationFailedError): string {
  return error.problems.map((problem) => `${problem.field} ${problem.reason}`).join('; ');
}
