import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { TaskHandlers, type TaskContext, type TaskHandler } from '../tasks/task-handlers';
import type { TaskOutcome, TaskProgress } from '../tasks/domain/task';
import { CsvReader } from './csv-sheet';
import type { ImportField } from './import-columns';
import type { SheetCell } from './import-sheet';
import { ImportUsers, type CheckedRow, type ImportOutcome } from './import-users.usecase';
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
 * An import file's task: read the sheet, check every row and register them all in one
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
    const file = await readUpload(context);
    let outcome: ImportOutcome;
    try {
      outcome = await this.importUsers.importSheet(() => sheetRows(file, params.format), {
        key,
        dryRun: params.dryRun,
        maxRows: MAX_IMPORT_ROWS,
        progress: (progress) => this.report(context, progress),
      });
    } catch (error) {
      if (error instanceof ValidationFailedError) return { state: 'FAILED', error: problemsOf(error) };
      if (error instanceof DomainError) return { state: 'FAILED', error: error.message };
      throw error;
    }
    if (outcome.kind === 'unreadable') return { state: 'FAILED', error: outcome.problems.join('; ') };
    const rows = outcome.rows;
    if (outcome.kind === 'rejected') {
      await context.progress({ rowsRead: rows, rowsChecked: rows, rowsDone: 0 });
      await context.writeFile(
        'errors',
        await this.errorsFile(sheetRows(file, params.format), outcome.errors),
      );
      const bad = outcome.errors.size;
      return {
        state: 'FAILED',
        error: `${bad} of ${rows} rows have errors; no user was imported`,
        result: { rows, rejectedRows: bad, errorsFile: true, rowErrors: rowErrors(outcome.errors) },
      };
    }
    await context.progress({ rowsRead: rows, rowsChecked: rows, rowsDone: outcome.imported });
    if (params.dryRun) return { state: 'SUCCEEDED', result: { dryRun: true, rows, valid: rows } };
    return { state: 'SUCCEEDED', result: { rows, imported: outcome.imported } };
  }

  /** The uploaded sheet with an Errors column: read once more, as the check held no rows. */
  private async errorsFile(sheet: AsyncIterable<SheetCell[]>, errors: Map<number, string[]>) {
    let fields: ImportField[] = [];
    const rows: CheckedRow[] = [];
    for await (const row of this.importUsers.rowsWithErrors(sheet, errors)) {
      if ('fields' in row) fields = row.fields;
      else rows.push(row);
    }
    return errorsWorkbook(fields, rows);
  }

  /** Run and died too often: whatever committed stands, else nothing was imported. */
  async interrupted(context: TaskContext): Promise<TaskOutcome> {
    const params = context.task.params as unknown as ImportParams;
    const already = params.dryRun ? 0 : await this.importUsers.imported(taskKey(context));
    if (already > 0) return imported(already, context.task.attempts);
    return { state: 'FAILED', error: interruptedImportError(context.task.attempts - 1) };
  }

  /** Progress while a transaction works: written beside it, never awaited by it. */
  private report(context: TaskContext, progress: Partial<TaskProgress>): void {
    void context
      .progress(progress)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Progress not saved'));
  }
}

/** What the Task Center says of an import whose runner died `stops` times, importing nothing. */
export function interruptedImportError(stops: number): string {
  return `the import stopped ${stops} times before it finished (its runner died); no user was imported`;
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

/**
 * The uploaded file, whole: at most MAX_IMPORT_BYTES. It is read before the import's
 * transaction opens, since the embedded database's one connection is that transaction's
 * until it ends, and the rows are read from it twice (to check, then to register).
 */
async function readUpload(context: TaskContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of context.readFile('upload')) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Text decoded at a time from a CSV file: its rows are parsed as it goes, never as one string. */
const CSV_SLICE = 1024 * 1024;

/**
 * The sheet's rows, as they are read. A CSV file is parsed a slice at a time. An .xlsx
 * file is read whole by the sheet reader's process (a zip is read from its end), then
 * handed over row by row, each let go once read.
 */
async function* sheetRows(file: Buffer, format: ImportFormat): AsyncGenerator<SheetCell[]> {
  if (format === 'xlsx') {
    const rows = await readFirstSheet(file, IMPORT_WORKBOOK_LIMITS);
    for (let index = 0; index < rows.length; index += 1) {
      yield rows[index];
      rows[index] = [];
    }
    return;
  }
  const decoder = new TextDecoder('utf-8');
  const csv = new CsvReader();
  for (let start = 0; start < file.length; start += CSV_SLICE) {
    yield* csv.push(decoder.decode(file.subarray(start, start + CSV_SLICE), { stream: true }));
  }
  yield* csv.push(decoder.decode());
  yield* csv.end();
}

function rowErrors(errors: Map<number, string[]>) {
  return [...errors].slice(0, ERRORS_IN_RESULT).map(([row, rowErrors]) => ({ row, errors: rowErrors }));
}

function problemsOf(error: ValidationFailedError): string {
  return error.problems.map((problem) => `${problem.field} ${problem.reason}`).join('; ');
}
